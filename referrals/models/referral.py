"""The referral, its deadline rules, its escalations and its timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from portal.working_days import WorkingCalendar
from referrals.models.choices import (
    ConcernCategory,
    Consent,
    Decision,
    EscalationRule,
    Kind,
    NoConsentBasis,
    Status,
    Urgency,
)


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
    information_request_within_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="Working days an agency has to answer a request for more information."
    )
    challenge_step_within_working_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="Working days for each step of a professional challenge (manager, then senior manager).",
    )
    strategy_discussion_within_hours = models.PositiveIntegerField(
        default=24,
        help_text="Injury to a non-mobile baby: hours from receipt to the strategy discussion.",
    )
    pre_birth_urgent_within_weeks = models.PositiveSmallIntegerField(
        default=12,
        help_text="Pre-birth referrals due within this many weeks run on urgent deadlines.",
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

    # No single-column indexes on these three: referral_fd_received,
    # referral_agency_received and referral_sender_received start with them
    # and serve the same lookups. Every index is paid for on each insert and
    # on each escalation (which changes an indexed column, so no HOT update).
    front_door = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="received_referrals", db_index=False
    )
    sending_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="sent_referrals", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_referrals", db_index=False
    )
    sender_phone = models.CharField(max_length=40)

    sender_availability = models.CharField(max_length=200, blank=True)

    # The concern
    concern_categories = models.JSONField(default=list)
    what_happened = models.TextField()
    when_happened = models.CharField(max_length=200)
    childs_experience = models.TextField()
    action_taken = models.TextField()
    immediate_risk = models.BooleanField(default=False)

    # Consent and information sharing (Child S)
    family_aware = models.BooleanField(default=False)
    consent = models.CharField(max_length=16, choices=Consent.choices)
    no_consent_basis = models.CharField(max_length=32, choices=NoConsentBasis.choices, blank=True)
    no_consent_reason = models.TextField(blank=True)

    # Fathers and male carers ("The Myth of Invisible Men")
    father_not_recorded_reason = models.TextField(blank=True)

    # Pre-birth (Child BF, Family T): the earliest due date among unborn children.
    expected_due_date = models.DateField(null=True, blank=True)
    # Injury to a non-mobile baby (Child BF finding 7): the urgent pathway.
    non_mobile_injury = models.BooleanField(default=False)
    police_notified_at = models.DateTimeField(null=True, blank=True)
    strategy_discussion_by = models.DateTimeField(null=True, blank=True)
    # A re-referral: a child in it was referred to the same front door in the
    # 12 months before (the same NHS number), or a worker linked an earlier
    # referral from those 12 months. Worked out when it is submitted and again
    # when a link is recorded (referrals.reporting), so the partnership
    # figures count a column instead of searching every child's history.
    is_re_referral = models.BooleanField(default=False)

    received_at = models.DateTimeField()
    # The deadlines the receipt promised. Where the referral stands on its
    # escalation ladders is kept apart, in its ReferralClock.
    acknowledge_by = models.DateTimeField()
    decide_by = models.DateTimeField()

    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acknowledged_referrals",
    )

    # Triage
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_referrals",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # The decision, and the outcome the referrer is owed (Working Together).
    decision = models.CharField(max_length=32, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    next_steps_owner = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="decided_referrals",
    )
    outcome_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read by referral (id) and date; the people and agencies
    # in it are not searched, so their columns carry no index of their own.
    history = HistoricalRecords(no_db_index=["front_door", "sending_agency", "sender", "acknowledged_by",
                                             "assigned_to", "decided_by"])

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Serves the front-door queue and dashboard: a front door's
            # unacknowledged referrals by deadline.
            models.Index(
                fields=["front_door", "acknowledge_by"],
                name="referral_queue_open",
                condition=Q(status="submitted"),
            ),
            # Serves the queue and dashboard through the "who may see it"
            # rule: a front door's open referrals, whatever their deadlines.
            # Without it, PostgreSQL read every referral the front door ever
            # had (about 1 s at 1,000,000 referrals; 65 ms with it).
            models.Index(
                fields=["front_door"],
                name="referral_fd_open",
                condition=Q(status__in=["submitted", "acknowledged"]),
            ),
            # Serves "all of this front door's referrals, newest first", and
            # the partnership figures (referrals.reporting): the columns they
            # count are included, so a year of a front door's referrals is
            # read from this index alone (an index-only scan) instead of from
            # tens of thousands of wide referral rows. Included, not a second
            # index: no extra index entry on each insert. The included columns
            # change with the status (already in partial indexes, so those
            # updates were never HOT), apart from two rare ones: kind, when a
            # consultation is converted, and is_re_referral, when a link is
            # recorded. SQLite ignores `include` (models.W040 is silenced in
            # the settings for it).
            models.Index(
                fields=["front_door", "-received_at"], name="referral_fd_received",
                include=["id", "sending_agency", "kind", "status", "decision", "acknowledged_at",
                         "acknowledge_by", "decided_at", "decide_by", "expected_due_date", "is_re_referral"],
            ),
            # Serves "Your referrals" for a sender and for their agency's lead.
            models.Index(fields=["sender", "-received_at"], name="referral_sender_received"),
            models.Index(
                fields=["sending_agency", "-received_at"], name="referral_agency_received"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="submitted")
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="referral_acknowledged_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="decided")
                | (Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(decision="")),
                name="referral_decided_has_decision_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_pre_birth(self) -> bool:
        return self.expected_due_date is not None

    @property
    def children_names(self) -> str:
        """'Leo Marsh and 2 others', from prefetched children."""
        children = list(self.children.all())
        if not children:
            return ""
        first = children[0].name
        return first if len(children) == 1 else f"{first} and {len(children) - 1} other{'s' if len(children) > 2 else ''}"

    def concern_category_labels(self) -> list[str]:
        labels = dict(ConcernCategory.choices)
        return [labels.get(c, c) for c in self.concern_categories]

    @property
    def is_acknowledged(self) -> bool:
        return self.status != Status.SUBMITTED

    def is_acknowledgement_overdue(self, now: dt.datetime) -> bool:
        return self.status == Status.SUBMITTED and now >= self.acknowledge_by


class ReferralClock(models.Model):
    """Where a referral stands on its two escalation ladders: "not
    acknowledged in time" and "no decision in time".

    The sweep (referrals.escalations) claims an escalation by updating this
    row, not the referral: a narrow row with five indexes instead of a wide
    one with a dozen, so escalating 100,000 referrals after an outage writes
    a fraction of the pages, and the referral's own history is left to what
    people did. Each ladder runs while its `*_open` flag is set; the
    services that acknowledge, decide and reopen a referral set and clear
    them in the same transaction. The Escalation rows are the record of what
    the sweep did; this row is only its state.
    """

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, primary_key=True, related_name="clock")
    # "Not acknowledged": level 1 (front-door managers) at acknowledge_by,
    # level 2 (senior managers) at senior_escalation_at.
    acknowledge_open = models.BooleanField(default=True)
    acknowledge_by = models.DateTimeField()
    senior_escalation_at = models.DateTimeField()
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # "No decision in time": the same ladder on the decision deadline.
    decide_open = models.BooleanField(default=True)
    decide_by = models.DateTimeField()
    decision_senior_at = models.DateTimeField()
    decision_escalation_level = models.PositiveSmallIntegerField(default=0)
    # Bumped when a challenge reopens the decision, so the new round's "no
    # decision in time" escalations are new rows, not repeats of the first.
    decision_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            # Serve the sweep's claims, one per step of each ladder:
            #   UPDATE referrals_referralclock SET escalation_level = 1
            #    WHERE acknowledge_open AND escalation_level = 0
            #      AND acknowledge_by <= now ...
            # Only rows still waiting for that step are in each index, so the
            # steady-state sweep does not grow with closed referrals.
            models.Index(fields=["acknowledge_by"], name="clock_ack_due_l1",
                         condition=Q(acknowledge_open=True, escalation_level=0)),
            models.Index(fields=["senior_escalation_at"], name="clock_ack_due_l2",
                         condition=Q(acknowledge_open=True, escalation_level=1)),
            models.Index(fields=["decide_by"], name="clock_decide_due_l1",
                         condition=Q(decide_open=True, decision_escalation_level=0)),
            models.Index(fields=["decision_senior_at"], name="clock_decide_due_l2",
                         condition=Q(decide_open=True, decision_escalation_level=1)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0, escalation_level__lte=2,
                            decision_escalation_level__gte=0, decision_escalation_level__lte=2),
                name="clock_escalation_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation clock of referral {self.referral_id}"


class Escalation(models.Model):
    """One escalation of one referral under one rule to one level. Unique, so
    that even a bug in the claim could not tell the same people twice.
    `subject_id` is the information request or challenge that was overdue
    (0 for rules about the referral itself)."""

    # escalation_once_per_level starts with the referral: no index of its own.
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="escalations", db_index=False)
    rule = models.CharField(max_length=32, choices=EscalationRule.choices)
    subject_id = models.BigIntegerField(default=0)
    level = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(help_text="The deadline that was missed.")
    escalated_at = models.DateTimeField()

    class Meta:
        ordering = ["escalated_at", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "rule", "subject_id", "level"], name="escalation_once_per_level"
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
    POLICE_NOTIFIED = "police_notified", "Police notified"
    OUT_OF_HOURS = "out_of_hours", "Emergency duty team alerted"
    ASSIGNED = "assigned", "Assigned"
    INFORMATION_REQUESTED = "information_requested", "More information requested"
    INFORMATION_GIVEN = "information_given", "More information given"
    DECIDED = "decided", "Decision made"
    OUTCOME_SENT = "outcome_sent", "Outcome sent to the referrer"
    CHALLENGED = "challenged", "Decision challenged"
    CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
    HISTORY_LINKED = "history_linked", "Earlier history linked"
    MANAGERS_ALERTED = "managers_alerted", "Managers alerted"
    CONVERTED = "converted", "Converted to a referral"


class ReferralEvent(models.Model):
    """The referral's timeline, written by the service that made each change.
    `front_door_only` events (earlier history linked, what another agency
    said) are not shown to the referrer's side."""

    # referral_event_timeline starts with the referral: no index of its own.
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    summary = models.CharField(max_length=300)
    front_door_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_timeline")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.summary}"
