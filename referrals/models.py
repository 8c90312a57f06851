"""The referral, its deadlines, its escalations and its timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from portal.working_days import WorkingCalendar


class Kind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    CONSULTATION = "consultation", "Consultation"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Received, waiting to be acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class EscalationRule(models.TextChoices):
    NOT_ACKNOWLEDGED = "not_acknowledged", "Not acknowledged in time"


class DeadlinePolicy(models.Model):
    """A front door's deadline rules. Defaults follow Working Together:
    acknowledge on the working day of receipt, decide within one working day."""

    front_door = models.OneToOneField(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="deadline_policy",
        limit_choices_to={"kind": "front_door"},
    )
    office_opens = models.TimeField(default=dt.time(9, 0))
    office_closes = models.TimeField(default=dt.time(17, 0))
    cut_off = models.TimeField(
        default=dt.time(16, 0),
        help_text="Referrals received after this time count as received the next working day.",
    )
    bank_holiday_region = models.CharField(
        max_length=3,
        default="ENG",
        choices=[
            ("ENG", "England"),
            ("WLS", "Wales"),
            ("SCT", "Scotland"),
            ("NIR", "Northern Ireland"),
        ],
    )
    acknowledge_within_working_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="0 means by the close of the working day the referral is received.",
    )
    decide_within_working_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    urgent_acknowledge_within_minutes = models.PositiveIntegerField(
        default=60, help_text="Minutes from receipt, day or night, for urgent referrals."
    )
    urgent_decide_within_minutes = models.PositiveIntegerField(
        default=240, help_text="Minutes from receipt, day or night, for urgent referrals."
    )
    senior_escalation_after_minutes = models.PositiveIntegerField(
        default=120,
        help_text="Working minutes after the acknowledgement deadline before senior managers are told.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "deadline policies"
        constraints = [
            # An impossible calendar would stop every submission; refuse it here.
            models.CheckConstraint(
                condition=Q(office_opens__lt=F("office_closes")),
                name="deadline_policy_opens_before_closes",
            ),
            models.CheckConstraint(
                condition=Q(cut_off__gte=F("office_opens"), cut_off__lte=F("office_closes")),
                name="deadline_policy_cut_off_in_office_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"Deadline rules for {self.front_door}"

    def clean(self) -> None:
        errors = {}
        if self.office_opens and self.office_closes and self.office_opens >= self.office_closes:
            errors["office_closes"] = "The office must close after it opens"
        elif self.cut_off and not (self.office_opens <= self.cut_off <= self.office_closes):
            errors["cut_off"] = "The cut-off must be within office hours"
        if errors:
            raise ValidationError(errors)

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            opens=self.office_opens,
            closes=self.office_closes,
            cut_off=self.cut_off,
            region=self.bank_holiday_region,
            timezone=settings.TIME_ZONE,
        )


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REFERRAL)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.STANDARD)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)

    front_door = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="received_referrals"
    )
    sending_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="sent_referrals"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_referrals"
    )
    sender_phone = models.CharField(max_length=40)

    child_first_name = models.CharField(max_length=100)
    child_last_name = models.CharField(max_length=100)
    child_date_of_birth = models.DateField(null=True, blank=True)
    concern_summary = models.TextField()

    received_at = models.DateTimeField()
    acknowledge_by = models.DateTimeField()
    decide_by = models.DateTimeField()
    # When the unacknowledged referral goes up to senior managers (level 2).
    senior_escalation_at = models.DateTimeField()

    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acknowledged_referrals",
    )
    # Highest escalation level reached for "not acknowledged": 0 none,
    # 1 front-door managers, 2 senior managers.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Serves the level-1 sweep (referrals.escalations):
            #   UPDATE ... WHERE status='submitted' AND escalation_level = 0
            #   AND acknowledge_by <= now. Only open, unescalated rows are in
            #   it, so the steady-state sweep does not grow with closed referrals.
            models.Index(
                fields=["acknowledge_by"],
                name="referral_ack_due_l1",
                condition=Q(status="submitted", escalation_level=0),
            ),
            # Serves the level-2 sweep: same shape on senior_escalation_at for
            # rows already at level 1.
            models.Index(
                fields=["senior_escalation_at"],
                name="referral_ack_due_l2",
                condition=Q(status="submitted", escalation_level=1),
            ),
            # Serves the front-door queue and dashboard: a front door's
            # unacknowledged referrals by deadline.
            models.Index(
                fields=["front_door", "acknowledge_by"],
                name="referral_queue_open",
                condition=Q(status="submitted"),
            ),
            # Serves "all of this front door's referrals, newest first".
            models.Index(fields=["front_door", "-received_at"], name="referral_fd_received"),
            # Serves "Your referrals" for a sender and for their agency's lead.
            models.Index(fields=["sender", "-received_at"], name="referral_sender_received"),
            models.Index(
                fields=["sending_agency", "-received_at"], name="referral_agency_received"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0, escalation_level__lte=2),
                name="referral_escalation_level_range",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted")
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="referral_acknowledged_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    @property
    def is_acknowledged(self) -> bool:
        return self.status != Status.SUBMITTED

    def is_acknowledgement_overdue(self, now: dt.datetime) -> bool:
        return self.status == Status.SUBMITTED and now >= self.acknowledge_by


class Escalation(models.Model):
    """One escalation of one referral under one rule to one level. Unique, so
    that even a bug in the claim could not tell the same people twice."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="escalations")
    rule = models.CharField(max_length=32, choices=EscalationRule.choices)
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(help_text="The deadline that was missed.")
    escalated_at = models.DateTimeField()

    class Meta:
        ordering = ["escalated_at", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "rule", "level"], name="escalation_once_per_level"
            )
        ]
        indexes = [models.Index(fields=["-escalated_at"], name="escalation_recent")]

    def __str__(self) -> str:
        return f"{self.referral} {self.rule} level {self.level}"

    @property
    def level_label(self) -> str:
        return ESCALATION_LEVEL_LABELS.get(self.level, f"Level {self.level}")


ESCALATION_LEVEL_LABELS = {1: "Front-door managers", 2: "Senior managers"}


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ESCALATED = "escalated", "Escalated"


class ReferralEvent(models.Model):
    """The referral's timeline, written by the service that made each change."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_timeline")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.summary}"
