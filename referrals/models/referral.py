"""The referral and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.census import CensusSource
from referrals.models.choices import (
    Channel,
    ConcernCategory,
    Consent,
    Decision,
    Kind,
    NoConsentBasis,
    SourceType,
    Status,
    Urgency,
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
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="received_referrals",
        db_index=False,
    )
    sending_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="sent_referrals", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sent_referrals",
        db_index=False,
    )
    sender_phone = models.CharField(max_length=40)

    sender_availability = models.CharField(max_length=200, blank=True)

    # How it reached the front door, and who it came from in the Children in
    # Need census's codes (referrals.census). A contact the front door
    # recorded itself has the front door as its sending agency and the worker
    # who recorded it as its sender; the person it came from is below.
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    census_source = models.CharField(max_length=3, choices=CensusSource.choices, blank=True)
    source_type = models.CharField(max_length=16, choices=SourceType.choices, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    source_organisation = models.CharField(max_length=200, blank=True)
    source_role = models.CharField(max_length=200, blank=True)
    source_phone = models.CharField(max_length=40, blank=True)
    source_email = models.EmailField(max_length=254, blank=True)
    # When it was typed in; `received_at` is when it came in, and the
    # deadlines run from that.
    recorded_at = models.DateTimeField(null=True, blank=True)

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
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
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
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_referrals",
    )
    outcome_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read by referral (id) and date; the people and agencies
    # in it are not searched, so their columns carry no index of their own.
    history = HistoricalRecords(
        no_db_index=[
            "front_door",
            "sending_agency",
            "sender",
            "acknowledged_by",
            "assigned_to",
            "decided_by",
        ]
    )

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
            # Without it, PostgreSQL reads every referral the front door ever
            # had (bench/notes.md: the queue index).
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
                fields=["front_door", "-received_at"],
                name="referral_fd_received",
                include=[
                    "id",
                    "sending_agency",
                    "kind",
                    "status",
                    "decision",
                    "acknowledged_at",
                    "acknowledge_by",
                    "decided_at",
                    "decide_by",
                    "expected_due_date",
                    "is_re_referral",
                ],
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
    def is_recorded_contact(self) -> bool:
        """Recorded by the front door from a call, letter, email or visit
        (it stays so after it is made a referral)."""
        return bool(self.source_type)

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
        return (
            first
            if len(children) == 1
            else f"{first} and {len(children) - 1} other{'s' if len(children) > 2 else ''}"
        )

    def concern_category_labels(self) -> list[str]:
        labels = dict(ConcernCategory.choices)
        return [labels.get(c, c) for c in self.concern_categories]


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
    CLOSED_AS_INFORMATION = "closed_as_information", "Closed as information only"


class ReferralEvent(models.Model):
    """The referral's timeline, written by the service that made each change.
    `front_door_only` events (earlier history linked, what another agency
    said) are not shown to the referrer's side."""

    # referral_event_timeline starts with the referral: no index of its own.
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(max_length=300)
    front_door_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_timeline")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.summary}"
