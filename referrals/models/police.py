"""The police's part in a referral: which force's public protection unit was
told, why, by when an officer must acknowledge, and who did (Child BF: the
police were told a day late; an email to an inbox proves nothing)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.models.choices import PoliceReason
from referrals.models.referral import Referral


class PoliceNotice(models.Model):
    """The police were told about this referral. One per referral: a second
    reason (a strategy discussion after an injured baby) is added to
    `reasons`, and the first deadline stands.

    "Police notified" means a named officer acknowledged it; until then the
    sweep escalates it (referrals.escalation.ladder) to the force's
    supervisor inbox and the front-door managers, once.
    """

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="police_notice"
    )
    police = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="police_notices",
        limit_choices_to={"kind": "police"},
        db_index=False,
    )
    # PoliceReason values, in the order they arose.
    reasons = models.JSONField(default=list)
    # What the front door said when it marked a possible crime.
    crime_note = models.TextField(blank=True)
    notified_at = models.DateTimeField()
    acknowledge_by = models.DateTimeField()
    acknowledge_open = models.BooleanField(default=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(no_db_index=["police", "acknowledged_by", "referral"])

    class Meta:
        ordering = ["notified_at", "id"]
        indexes = [
            # Serves the "police did not acknowledge in time" sweep:
            #   UPDATE referrals_policenotice SET escalation_level = 1
            #    WHERE acknowledge_open AND escalation_level = 0
            #      AND acknowledge_by <= now ...
            models.Index(
                fields=["acknowledge_by"],
                name="police_notice_ack_due",
                condition=Q(acknowledge_open=True, escalation_level=0),
            ),
            # Serves a force's own list, newest first.
            models.Index(fields=["police", "-notified_at"], name="police_notice_force_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledge_open=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="police_notice_acknowledged_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Police notice for {self.referral}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def reason_labels(self) -> list[str]:
        labels = dict(PoliceReason.choices)
        return [labels.get(r, r) for r in self.reasons]

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.acknowledge_open and self.acknowledge_by <= now
