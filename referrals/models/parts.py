"""The parts of a referral: children, adults, other agencies, previous areas;
and the draft a referral is written in."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.models.choices import (
    AdultConcern,
    AgencyType,
    CareHistory,
    PlanStatus,
    Relationship,
    Sex,
    YesNoNotKnown,
)
from referrals.models.referral import Referral


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
    # "yes", "no", "not_known", or blank when not asked (not a baby).
    mobile = models.CharField(max_length=16, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]
        verbose_name_plural = "children"
        indexes = [
            # Serve finding earlier referrals about the same child (triage).
            models.Index(
                fields=["nhs_number"], name="child_nhs_number", condition=~Q(nhs_number="")
            ),
            models.Index(fields=["last_name", "date_of_birth"], name="child_name_dob"),
            models.Index(fields=["postcode"], name="child_postcode", condition=~Q(postcode="")),
            # Serve the family's history (referrals.selectors.matching): a
            # parent who was once a child, found by date of birth alone
            # (child_name_dob starts with the last name), and a baby born
            # near an unborn baby's due date.
            models.Index(
                fields=["date_of_birth"],
                name="child_dob",
                condition=Q(date_of_birth__isnull=False),
            ),
            models.Index(
                fields=["expected_date_of_delivery"],
                name="child_due_date",
                condition=Q(expected_date_of_delivery__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def mobile_label(self) -> str:
        return {"yes": "Yes", "no": "No, not yet", "not_known": "Not known"}.get(
            self.mobile, self.mobile
        )

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_delivery is not None


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
    # What the reviews found the front door needed and did not see, each
    # optional: a condition another agency knew of (Rapid Review A2: the
    # father's ADHD and autism), MARAC, care history (Family T), custody or
    # prison (Child S), drug or alcohol misuse.
    condition = models.TextField(blank=True)
    condition_known_to = models.CharField(max_length=200, blank=True)
    marac = models.CharField(max_length=16, choices=YesNoNotKnown.choices, blank=True)
    marac_actions = models.TextField(blank=True)
    care_history = models.CharField(max_length=16, choices=CareHistory.choices, blank=True)
    custody_history = models.CharField(max_length=16, choices=YesNoNotKnown.choices, blank=True)
    custody_details = models.TextField(blank=True)
    substance_misuse = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]
        indexes = [
            # Serve matching adults across referrals (referrals.selectors.matching):
            # by date of birth, or by last name where a date of birth is missing.
            models.Index(
                fields=["date_of_birth"],
                name="adult_dob",
                condition=Q(date_of_birth__isnull=False),
            ),
            models.Index(fields=["last_name"], name="adult_last_name"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_relationship_display()})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def known_concern_labels(self) -> list[str]:
        labels = dict(AdultConcern.choices)
        return [labels.get(c, c) for c in self.known_concerns]

    def history_for_the_front_door(self) -> list[tuple[str, str]]:
        """(what, what is known) for each of the reviews' fields answered
        with something to know: shown at the top of the referral."""
        facts = []
        if self.condition:
            known_to = f" (known to {self.condition_known_to})" if self.condition_known_to else ""
            facts.append(("Diagnosis or condition", f"{self.condition}{known_to}"))
        if self.marac == YesNoNotKnown.YES:
            facts.append(("MARAC", self.marac_actions or "Known to MARAC; actions not given"))
        if self.care_history in {CareHistory.LOOKED_AFTER, CareHistory.CARE_LEAVER}:
            facts.append(("Care history", self.get_care_history_display().removeprefix("Yes: ")))
        if self.custody_history == YesNoNotKnown.YES:
            facts.append(("Custody or prison", self.custody_details or "Yes; details not given"))
        if self.substance_misuse:
            facts.append(("Drug or alcohol misuse", self.substance_misuse))
        return facts


class InvolvedAgency(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="involved_agencies"
    )
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
    # Whose area it was: a child's or an adult's name, or blank for the family.
    person = models.CharField(max_length=200, blank=True)
    # What the front door asked the other local authority, and what came
    # back (Plymouth lesson 5: history in another area "not collected").
    asked_on = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "position"]

    def __str__(self) -> str:
        return f"{self.local_authority}"

    @property
    def waiting_for_answer(self) -> bool:
        return self.asked_on is not None and self.answered_on is None


class Draft(models.Model):
    """A referral being written. Private to its author; not a referral until sent.

    `data` holds the answers in the same shape as the API's request body, as
    typed (a date may be the parts someone entered), so nothing typed is lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["author", "-updated_at"], name="draft_author_recent")]

    def __str__(self) -> str:
        return f"Draft {self.id} by {self.author}"
