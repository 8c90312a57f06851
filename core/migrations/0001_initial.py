# The heartbeat moved here from the portal app (the top of the house), so the
# apps below can write it without importing the top. The table is taken over
# as it is (state only), then renamed in 0002.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Heartbeat",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=64, primary_key=True, serialize=False),
                        ),
                        ("last_success_at", models.DateTimeField()),
                    ],
                    options={"db_table": "portal_heartbeat"},
                ),
            ],
            database_operations=[],
        ),
    ]
