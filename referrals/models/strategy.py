"""The strategy discussion (section 47) as a thing that happens: its
deadline, who was invited, and the record of what happened, with the initial
child protection conference that may follow (Child BF: the GP was not
invited; the strategy discussion's deadline was a date nothing checked)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.models.choices import ParticipantKind, StrategyOutcome
from referrals.models.referral import Referral


class StrategyDiscussion(models.Model):
    """One per referral, opened by the decision "strategy discussion".

    Two clocks the sweep claims (referrals.escalation.ladder): not held by
    `due_by` (while `is_open`), and, when a conference follows, not held by
    `conference_due_by` (15 working days after the discussion, while
    `conference_open`). Each escalates once.
    """

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="strategy_discussion"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_by = models.DateTimeField()
    is_open = models.BooleanField(default=True, help_text="Not yet held and recorded.")
    escalation_level = models.PositiveSmallIntegerField(default=0)

    held_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=32, choices=StrategyOutcome.choices, blank=True)
    next_steps = models.TextField(blank=True)

    # The initial child protection conference, when one follows.
    conference_follows = models.BooleanField(default=False)
    conference_due_by = models.DateTimeField(null=True, blank=True)
    conference_date = models.DateField(null=True, blank=True, help_text="The date booked.")
    conference_open = models.BooleanField(default=False)
    conference_escalation_level = models.PositiveSmallIntegerField(default=0)
    conference_held_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords(no_db_index=["opened_by", "recorded_by", "referral"])

    class Meta:
        ordering = ["due_by", "id"]
        indexes = [
            # Serves the "strategy discussion not held in time" sweep:
            #   UPDATE ... SET escalation_level = 1
            #    WHERE is_open AND escalation_level = 0 AND due_by <= now ...
            # and the dashboard's discussions due and overdue.
            models.Index(
                fields=["due_by"],
                name="strategy_due",
                condition=Q(is_open=True, escalation_level=0),
            ),
            # Serves the "conference not held in time" sweep.
            models.Index(
                fields=["conference_due_by"],
                name="strategy_conference_due",
                condition=Q(conference_open=True, conference_escalation_level=0),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_open=True)
                | (
                    Q(held_at__isnull=False, recorded_by__isnull=False, recorded_at__isnull=False)
                    & ~Q(outcome="")
                ),
                name="strategy_held_has_when_who_and_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Strategy discussion for {self.referral}"

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_open and self.due_by <= now

    def conference_overdue(self, now: dt.datetime) -> bool:
        return bool(
            self.conference_open and self.conference_due_by and self.conference_due_by <= now
        )


class StrategyParticipant(models.Model):
    """Someone invited to a strategy discussion: an agency or person on the
    portal (told through it), or an agency not on it, listed with how the
    front door can reach them."""

    discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.CASCADE, related_name="participants"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=ParticipantKind.choices)
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For those not on the portal: how they were contacted (phone, email).
    contact = models.CharField(max_length=300, blank=True)
    took_part = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["discussion", "position"]
        indexes = [
            # Serves an invited agency's list of its strategy discussions.
            models.Index(fields=["agency"], name="strategy_participant_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def on_portal(self) -> bool:
        return self.agency_id is not None or self.user_id is not None
