"""Drop indexes that other indexes already serve, so every insert and every
escalation (a non-HOT update) writes fewer index entries.

- referrals_referral: the single-column indexes on front_door, sender and
  sending_agency; referral_fd_received, referral_sender_received and
  referral_agency_received start with those columns.
- referrals_historicalreferral: the indexes on the people and agencies in each
  history row; history is read by referral id and date.

Only the indexes are dropped (the foreign-key constraints stay as they are,
so nothing is re-validated on a large table).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


INDEXES = [
    (
        "referrals_historicalreferral_acknowledged_by_id_20c2f606",
        "referrals_historicalreferral",
        "acknowledged_by_id",
    ),
    (
        "referrals_historicalreferral_assigned_to_id_701e7cd2",
        "referrals_historicalreferral",
        "assigned_to_id",
    ),
    (
        "referrals_historicalreferral_decided_by_id_46c29fcc",
        "referrals_historicalreferral",
        "decided_by_id",
    ),
    (
        "referrals_historicalreferral_front_door_id_fa00b2e5",
        "referrals_historicalreferral",
        "front_door_id",
    ),
    (
        "referrals_historicalreferral_sender_id_32bae7db",
        "referrals_historicalreferral",
        "sender_id",
    ),
    (
        "referrals_historicalreferral_sending_agency_id_a81f5e01",
        "referrals_historicalreferral",
        "sending_agency_id",
    ),
    ("referrals_referral_front_door_id_ac6e35c4", "referrals_referral", "front_door_id"),
    ("referrals_referral_sender_id_b9046f59", "referrals_referral", "sender_id"),
    ("referrals_referral_sending_agency_id_df8fe9ea", "referrals_referral", "sending_agency_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("referrals", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="acknowledged_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="assigned_to",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="decided_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="front_door",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agencies.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="sender",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="sending_agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agencies.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="front_door",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="received_referrals",
                        to="agencies.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="sender",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sent_referrals",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="sending_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sent_referrals",
                        to="agencies.agency",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name, _, _ in INDEXES],
                    reverse_sql=[
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, table, column in INDEXES
                    ],
                ),
            ],
        ),
    ]
