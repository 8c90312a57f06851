# The heartbeat belongs to the ground floor now (core.Heartbeat, which took
# over this table in core's 0001): forget it here without touching the table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Heartbeat")],
            database_operations=[],
        ),
    ]
