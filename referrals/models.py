"""The referral, its deadlines, its escalations and its timeline."""

from __future__ import annotations

import datetime as dt
import uuid

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


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class PlanStatus(models.TextChoices):
    NONE = "none", "No"
    CHILD_IN_NEED = "child_in_need", "Yes: child in need plan"
    CHILD_PROTECTION = "child_protection", "Yes: child protection plan"
    LOOKED_AFTER = "looked_after", "Yes: looked after by a local authority"
    NOT_KNOWN = "not_known", "Not known"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    MOTHERS_PARTNER = "mothers_partner", "Mother's partner"
    FATHERS_PARTNER = "fathers_partner", "Father's partner"
    MALE_CARER = "male_carer", "Other male carer"
    FEMALE_CARER = "female_carer", "Other female carer"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_HOUSEHOLD = "other_household", "Other adult in the household"
    OTHER = "other", "Other"


# Relationships that answer "who are the men around this child?"
# ("The Myth of Invisible Men"; Child BF finding 3).
FATHER_FIGURES = frozenset(
    {Relationship.FATHER, Relationship.MALE_CARER, Relationship.MOTHERS_PARTNER, Relationship.STEP_PARENT}
)


class AdultConcern(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health difficulties"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug misuse"
    ALCOHOL_MISUSE = "alcohol_misuse", "Alcohol misuse"
    DOMESTIC_ABUSE_VICTIM = "domestic_abuse_victim", "Experiencing domestic abuse"
    DOMESTIC_ABUSE_PERPETRATOR = "domestic_abuse_perpetrator", "Causing domestic abuse"
    CRIMINAL_HISTORY = "criminal_history", "Criminal history"
    RISK_TO_CHILDREN = "risk_to_children", "Known risk to children"
    NONE_KNOWN = "none_known", "Nothing known"


class AgencyType(models.TextChoices):
    GP = "gp", "GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    MIDWIFE = "midwife", "Midwife"
    SCHOOL = "school", "School or nursery"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Drug and alcohol service"
    PROBATION = "probation", "Probation"
    HOSPITAL = "hospital", "Hospital"
    OTHER = "other", "Other"


class ConcernCategory(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental drug or alcohol misuse"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    NON_MOBILE_INJURY = "non_mobile_injury", "Injury to a baby who is not yet mobile"
    PRE_BIRTH = "pre_birth", "Concern about an unborn baby"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    GIVEN = "given", "Yes"
    REFUSED = "refused", "No, they refused"
    NOT_SOUGHT = "not_sought", "I have not asked them"


class NoConsentBasis(models.TextChoices):
    RISK_TO_CHILD = "risk_to_child", "Asking would put the child at greater risk of harm"
    RISK_TO_ADULT = "risk_to_adult", "Asking would put an adult at risk"
    PREJUDICE_INVESTIGATION = "prejudice_investigation", "Asking could prejudice a police investigation"
    SIGNIFICANT_HARM = "significant_harm", "The child is at risk of significant harm and cannot wait"
    NOT_CONTACTABLE = "not_contactable", "I could not reach them and delay would harm the child"
    OTHER = "other", "Another reason, explained below"


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


class Child(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_delivery = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices)
    nhs_number = models.CharField(max_length=12, blank=True)
    address = models.TextField()
    postcode = models.CharField(max_length=8, blank=True)
    school_or_nursery = models.CharField(max_length=200, blank=True)
    gp_practice = models.CharField(max_length=200, blank=True)
    first_language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.CharField(max_length=16, blank=True)
    disability = models.CharField(max_length=500, blank=True)
    plan_status = models.CharField(max_length=32, choices=PlanStatus.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]
        verbose_name_plural = "children"
        indexes = [
            # Serve finding earlier referrals about the same child (triage).
            models.Index(fields=["nhs_number"], name="child_nhs_number", condition=~Q(nhs_number="")),
            models.Index(fields=["last_name", "date_of_birth"], name="child_name_dob"),
            models.Index(fields=["postcode"], name="child_postcode", condition=~Q(postcode="")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_delivery is not None

    def age_in_days(self, on: dt.date) -> int | None:
        return (on - self.date_of_birth).days if self.date_of_birth else None


class Adult(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="adults")
    position = models.PositiveSmallIntegerField(default=0)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    lives_with_child = models.CharField(max_length=16)
    parental_responsibility = models.CharField(max_length=16)
    known_concerns = models.JSONField(default=list)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_relationship_display()})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def known_concern_labels(self) -> list[str]:
        labels = dict(AdultConcern.choices)
        return [labels.get(c, c) for c in self.known_concerns]


class InvolvedAgency(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="involved_agencies")
    position = models.PositiveSmallIntegerField(default=0)
    agency_type = models.CharField(max_length=32, choices=AgencyType.choices)
    organisation = models.CharField(max_length=200)
    practitioner = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]
        verbose_name_plural = "involved agencies"

    def __str__(self) -> str:
        return f"{self.get_agency_type_display()}: {self.organisation}"


class PreviousArea(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="previous_areas")
    position = models.PositiveSmallIntegerField(default=0)
    address = models.TextField()
    local_authority = models.CharField(max_length=200)
    when = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]

    def __str__(self) -> str:
        return f"{self.local_authority}"


class Draft(models.Model):
    """A referral being written. Private to its author; not a referral until sent.

    `data` holds the answers in the same shape as the API's request body, as
    typed (a date may be the parts someone entered), so nothing typed is lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["author", "-updated_at"], name="draft_author_recent")]

    def __str__(self) -> str:
        return f"Draft {self.id} by {self.author}"


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
    POLICE_NOTIFIED = "police_notified", "Police notified"
    MANAGERS_ALERTED = "managers_alerted", "Managers alerted"
    CONVERTED = "converted", "Converted to a referral"


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
