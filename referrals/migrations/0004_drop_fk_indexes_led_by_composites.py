"""Drop the single-column indexes on the referral of an escalation and of a
timeline event: escalation_once_per_level and referral_event_timeline start
with the referral and serve every lookup by it. Each escalation writes one
index entry fewer in both tables.

Only the indexes are dropped; the foreign-key constraints stay as they are,
so nothing is re-validated on a large table.
"""

import django.db.models.deletion
from django.db import migrations, models


INDEXES = [
    ("referrals_escalation_referral_id_8879c8e6", "referrals_escalation", "referral_id"),
    ("referrals_referralevent_referral_id_e2ad0427", "referrals_referralevent", "referral_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_open_referrals_by_front_door"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="escalation",
                    name="referral",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="referrals.referral",
                    ),
                ),
                migrations.AlterField(
                    model_name="referralevent",
                    name="referral",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="referrals.referral",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
            ],
        ),
    ]
