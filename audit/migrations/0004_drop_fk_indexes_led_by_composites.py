"""Drop the single-column index on an audit event's actor: audit_actor
(actor, at) starts with it and serves every lookup by actor. Every audited
view, submission and escalation writes one index entry fewer.

Only the index is dropped; the foreign-key constraint stays as it is, so the
audit table (append-only, and the largest) is not re-validated.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_more_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "audit_auditevent_actor_id_270bb4b7"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "audit_auditevent_actor_id_270bb4b7" '
                    'ON "audit_auditevent" ("actor_id")',
                ),
            ],
        ),
    ]
