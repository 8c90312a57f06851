"""Manager oversight of decisions: a front door's sign-off rules, and a
practitioner's proposed decision waiting for a manager (Plymouth: "a lack of
vigorous management oversight"; bruises "deemed explainable")."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.models.choices import Decision
from referrals.models.referral import Referral


class SignOffPolicy(models.Model):
    """Which referrals a front door counts as high-risk, so that a decision of
    no further action, advice or early help on them needs a manager's
    sign-off, and how long the managers have. Without a row, every criterion
    applies with the default deadlines (referrals.oversight)."""

    front_door = models.OneToOneField(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="sign_off_policy",
        limit_choices_to={"kind": "front_door"},
    )
    injured_baby = models.BooleanField(
        "Injury to a non-mobile baby (the urgent pathway)", default=True
    )
    under_one = models.BooleanField("Any child under one", default=True)
    pre_birth = models.BooleanField("A pre-birth referral", default=True)
    re_referral = models.BooleanField("A re-referral within 12 months", default=True)
    police_told = models.BooleanField("The police have already been told", default=True)
    urgent = models.BooleanField("An urgent referral", default=True)
    sign_off_within_working_minutes = models.PositiveIntegerField(
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(60 * 24 * 5)],
        help_text="Working minutes a manager has to sign off a proposed decision.",
    )
    urgent_sign_off_within_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(60 * 24)],
        help_text="Minutes, day or night, to sign off a decision on an urgent referral.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "sign-off rules"
        verbose_name_plural = "sign-off rules"

    def __str__(self) -> str:
        return f"Sign-off rules for {self.front_door}"


class SignOff(models.TextChoices):
    ENDORSED = "endorsed", "Endorsed"
    RETURNED = "returned", "Sent back"


class DecisionProposal(models.Model):
    """A decision a practitioner proposed on a high-risk referral. It is not
    the referral's decision (and the referrer is not told) until a manager
    other than the proposer endorses it; a manager may send it back with
    reasons instead. The sweep escalates it to senior managers, once, if
    nobody signs it off by `due_by`."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="proposals")
    decision = models.CharField(max_length=32, choices=Decision.choices)
    reasons = models.TextField()
    next_steps = models.TextField(blank=True)
    next_steps_owner = models.CharField(max_length=200, blank=True)
    # Why it needs a manager: "a child under one; urgent".
    high_risk_because = models.CharField(max_length=300)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    due_by = models.DateTimeField()
    is_open = models.BooleanField(default=True)
    # 0: with the front-door managers; 1: escalated to senior managers.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=SignOff.choices, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_reasons = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposed_at", "id"]
        indexes = [
            # Serves the "decision not signed off in time" sweep:
            #   UPDATE ... SET escalation_level = 1
            #    WHERE is_open AND escalation_level = 0 AND due_by <= now
            models.Index(
                fields=["due_by"],
                name="proposal_sign_off_due",
                condition=Q(is_open=True, escalation_level=0),
            ),
            # Serves Decisions to check: the open proposals, oldest first.
            models.Index(
                fields=["proposed_at"], name="proposal_awaiting", condition=Q(is_open=True)
            ),
        ]
        constraints = [
            # One proposal at a time waits on a referral.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(is_open=True), name="proposal_one_open"
            ),
            models.CheckConstraint(
                condition=Q(is_open=True)
                | (~Q(outcome="") & Q(signed_off_by__isnull=False, signed_off_at__isnull=False)),
                name="proposal_signed_off_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposed decision on {self.referral}"

    @property
    def with_whom(self) -> str:
        return "senior managers" if self.escalation_level >= 1 else "front-door managers"


class Finding(models.TextChoices):
    GOOD = "good", "Good: the right decision, well recorded"
    REQUIRES_IMPROVEMENT = (
        "requires_improvement",
        "Requires improvement: the right decision, but the recording or reasons fall short",
    )
    INADEQUATE = "inadequate", "Inadequate: the decision left a child at risk"


class DecisionAudit(models.Model):
    """A manager's monthly audit of decisions (Plymouth: "monthly referral
    audits"): a random sample of a month's decided referrals, each to be
    read and given a finding."""

    front_door = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="decision_audits"
    )
    month = models.DateField(help_text="The first day of the month sampled.")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField()
    decided_in_month = models.PositiveIntegerField(
        help_text="How many decisions the sample was drawn from."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-drawn_at", "-id"]
        indexes = [models.Index(fields=["front_door", "-drawn_at"], name="decision_audit_recent")]

    def __str__(self) -> str:
        return f"Decision audit of {self.month:%B %Y} at {self.front_door}"


class DecisionAuditItem(models.Model):
    """One sampled decision and the auditor's finding on it."""

    audit = models.ForeignKey(DecisionAudit, on_delete=models.CASCADE, related_name="items")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    finding = models.CharField(max_length=32, choices=Finding.choices, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "referral"], name="decision_audit_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.referral} in {self.audit}"

    @property
    def finding_short(self) -> str:
        """The finding in a word or two, for a tag: "Requires improvement"."""
        return self.get_finding_display().split(":")[0] if self.finding else ""
