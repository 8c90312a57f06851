from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("portal", "0002_heartbeat_moved_to_core"),
    ]

    operations = [
        migrations.AlterModelTable(name="heartbeat", table=None),
    ]
