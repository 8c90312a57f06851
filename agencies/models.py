"""Agencies, teams and who works where in what role.

A front door (a local authority's MASH) is itself an Agency; partner agencies
(health visiting, GP practices, police, schools) point at the front door they
refer to. A person's powers come only from their memberships.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.secrets import decrypt, encrypt


class AgencyKind(models.TextChoices):
    FRONT_DOOR = "front_door", "Local authority front door (MASH)"
    HEALTH_VISITING = "health_visiting", "Health visiting service"
    MIDWIFERY = "midwifery", "Midwifery service"
    GP_PRACTICE = "gp_practice", "GP practice"
    HOSPITAL = "hospital", "Hospital"
    AMBULANCE = "ambulance", "Ambulance service"
    POLICE = "police", "Police"
    SCHOOL = "school", "School or nursery"
    OTHER = "other", "Other agency"


# Agencies whose referrers make a clinical judgement, and so are asked
# whether abuse is part of their differential diagnosis (Child S, question 9).
HEALTH_AGENCY_KINDS = frozenset(
    {
        AgencyKind.HEALTH_VISITING,
        AgencyKind.MIDWIFERY,
        AgencyKind.GP_PRACTICE,
        AgencyKind.HOSPITAL,
        AgencyKind.AMBULANCE,
    }
)


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    AGENCY_LEAD = "agency_lead", "Agency safeguarding lead"
    PRACTITIONER = "practitioner", "Front-door practitioner"
    MANAGER = "manager", "Front-door manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    ADMINISTRATOR = "administrator", "Administrator"
    PARTNERSHIP_VIEWER = "partnership_viewer", "Partnership viewer (figures only)"
    AGENCY_SYSTEM = "agency_system", "Agency record system (API key)"
    POLICE_OFFICER = "police_officer", "Police officer (public protection unit)"


# Roles that work inside a front door and may see all of its referrals.
FRONT_DOOR_ROLES = frozenset(
    {Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER, Role.ADMINISTRATOR}
)
# Roles that may acknowledge a referral on the front door's behalf.
ACKNOWLEDGING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER})
# Roles that see the partnership's figures (aggregates, never a child's details).
REPORT_ROLES = frozenset(
    {Role.MANAGER, Role.SENIOR_MANAGER, Role.ADMINISTRATOR, Role.PARTNERSHIP_VIEWER}
)
# Roles that send referrals on behalf of a partner agency.
SENDING_ROLES = frozenset({Role.REFERRER, Role.AGENCY_LEAD, Role.AGENCY_SYSTEM})
# Roles that read every referral their agency sent.
AGENCY_READ_ROLES = frozenset({Role.AGENCY_LEAD, Role.AGENCY_SYSTEM})
# Roles of a police public protection unit: they see and acknowledge the
# referrals the police are told about, and nothing else
# (referrals.selectors.access).
POLICE_ROLES = frozenset({Role.POLICE_OFFICER})


# A telephone number as people write it: digits, spaces, a leading + and brackets.
PHONE_NUMBER = RegexValidator(
    r"^\+?[0-9 ()]{6,30}$",
    "Enter a telephone number, like 01632 960 001, with digits and spaces only",
)


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    front_door = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_agencies",
        limit_choices_to={"kind": AgencyKind.FRONT_DOOR},
        help_text="The front door this agency sends its referrals to.",
    )
    alert_email = models.EmailField(
        blank=True,
        help_text="Front doors only: shared inbox told when a referral arrives.",
    )
    edt_alert_email = models.EmailField(
        blank=True,
        help_text=(
            "Front doors only: the emergency duty team, told about urgent referrals that "
            "arrive out of office hours."
        ),
    )
    police_alert_email = models.EmailField(
        blank=True,
        help_text=(
            "Front doors only: the police public protection inbox told at once about an "
            "injury to a non-mobile baby."
        ),
    )
    phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[PHONE_NUMBER],
        help_text=(
            "Front doors only: the number professionals and the public phone, shown at the foot "
            "of every page and on the error pages."
        ),
    )
    opening_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Front doors only: when that number is answered, e.g. Monday to Friday, 9am to 5pm."
        ),
    )
    out_of_hours_phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[PHONE_NUMBER],
        help_text=(
            "Front doors only: the emergency duty team's number for when the front door is closed."
        ),
    )
    local_authority_code = models.CharField(
        max_length=9,
        blank=True,
        help_text=(
            "Front doors only: the ONS code of the local authority district it serves "
            "(e.g. E06000023), matched when the ONS Postcode Directory is imported."
        ),
    )
    serves_many_areas = models.BooleanField(
        default=False,
        help_text=(
            "Partner agencies only: the agency works across several local authorities (an "
            "ambulance service, a police force, a border school), so its people may send a "
            "referral to any front door when the child's postcode does not decide it."
        ),
    )
    supervisor_email = models.EmailField(
        blank=True,
        help_text=(
            "Police only: the public protection unit's supervisor inbox, told when no officer "
            "acknowledges a referral in time."
        ),
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_front_door(self) -> bool:
        return self.kind == AgencyKind.FRONT_DOOR

    @property
    def is_police(self) -> bool:
        return self.kind == AgencyKind.POLICE


class CoverageSource(models.TextChoices):
    ADMIN = "admin", "Entered in the admin"
    POSTCODE_DIRECTORY = "onspd", "ONS Postcode Directory"


class CoveredPostcode(models.Model):
    """A postcode district ("NB1"), sector ("NB1 2") or single postcode
    ("NB1 2AB") that a front door covers. Which front door a child's postcode
    goes to is decided by agencies.selectors.front_door_for_postcode: the most
    specific entry wins, so a district can belong to one front door and a
    sector or street on the border to another."""

    front_door = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="covered_postcodes",
        limit_choices_to={"kind": AgencyKind.FRONT_DOOR},
    )
    # Unique: one front door per district, sector or postcode, so routing
    # never has to choose between two. The unique index serves the lookup.
    postcode = models.CharField(
        max_length=8,
        unique=True,
        help_text='A district ("NB1"), a sector ("NB1 2") or a full postcode ("NB1 2AB").',
    )
    source = models.CharField(
        max_length=8, choices=CoverageSource.choices, default=CoverageSource.ADMIN
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["front_door__name", "postcode"]
        indexes = [models.Index(fields=["front_door", "source"], name="coverage_front_door")]

    def __str__(self) -> str:
        return f"{self.postcode} ({self.front_door})"


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            )
        ]
        indexes = [
            # Serves the per-request role lookup: memberships of one user.
            models.Index(fields=["user", "is_active"], name="membership_user_active"),
            # Serves "who are the managers of this front door" for escalations.
            models.Index(fields=["agency", "role"], name="membership_agency_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.agency}"


class ApiClient(models.Model):
    """An agency's record system, calling the API with a key of its own.

    The key is shown once when issued; only its SHA-256 is stored, with a
    short prefix to find it. It acts as a service account that can send
    referrals for its agency and read what its agency sent, nothing more.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=100, help_text="Which system, e.g. 'EMIS at Riverside'.")
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    ACKNOWLEDGED = "referral.acknowledged", "A referral was acknowledged"
    DECIDED = "referral.decided", "A decision was made (the outcome)"
    INFORMATION_REQUESTED = (
        "referral.information_requested",
        "The front door asked for more information",
    )
    ESCALATED = "referral.escalated", "A referral was escalated"


class Webhook(models.Model):
    """An agency system's HTTPS endpoint, told when its referrals change.

    Deliveries go through the outbox, signed with `secret` (HMAC-SHA256 over
    the timestamp and body). They carry references and states, never a
    child's details; the portal stays the record. The secret is kept
    encrypted (core.secrets): it must be read back to sign with.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    encrypted_secret = models.CharField(max_length=255, editable=False, db_column="secret")
    events = models.JSONField(default=list, blank=True, help_text="Empty means every event.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    history = HistoricalRecords(excluded_fields=["encrypted_secret"])

    class Meta:
        ordering = ["agency__name", "url"]
        indexes = [models.Index(fields=["agency", "is_active"], name="webhook_agency_active")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.url}"

    @property
    def secret(self) -> str:
        """The signing secret, decrypted."""
        return decrypt(self.encrypted_secret)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.encrypted_secret = encrypt(plain)

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class OnCallRole(models.TextChoices):
    DUTY_MANAGER = "duty_manager", "Duty manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"


# What each on-call role stands in for when an alert names front-door roles.
ON_CALL_FOR_ROLE: dict[str, str] = {
    Role.MANAGER: OnCallRole.DUTY_MANAGER,
    Role.SENIOR_MANAGER: OnCallRole.SENIOR_MANAGER,
}

UK_MOBILE = RegexValidator(
    r"^(?:\+44\s?7|07)(?:\s?\d){9}$",
    "Enter a UK mobile number, like 07700 900 123 or +44 7700 900 123",
)


class OnCallShift(models.Model):
    """Who carries the on-call phone for a front door, and when: the rota
    that urgent alerts are texted to (by GOV.UK Notify). Past shifts stay,
    as the record of who was on call when an alert went out."""

    front_door = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="on_call_shifts",
        limit_choices_to={"kind": AgencyKind.FRONT_DOOR},
    )
    role = models.CharField(max_length=32, choices=OnCallRole.choices)
    name = models.CharField(max_length=200, help_text="Who is on call.")
    phone = models.CharField(
        max_length=20, validators=[UK_MOBILE], help_text="The mobile the alerts are texted to."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            # Serves "who is on call at this front door now": shifts that end
            # after now, for one front door.
            models.Index(fields=["front_door", "ends_at"], name="on_call_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="on_call_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"

    def clean(self) -> None:
        starts, ends = getattr(self, "starts_at", None), getattr(self, "ends_at", None)
        if starts is not None and ends is not None and ends <= starts:
            raise ValidationError({"ends_at": "The shift must end after it starts"})
