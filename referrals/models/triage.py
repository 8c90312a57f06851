"""The front door's work on a referral: requests for more information,
professional challenges to its decision, and links to earlier history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from referrals.models.choices import ChallengeOutcome, LinkStatus
from referrals.models.referral import Referral


class InformationRequest(models.Model):
    """The front door asks the referrer, or another partner agency involved
    with the family, for more. The answer is given in the portal, so it lands
    on the referral's timeline, not in someone's inbox. Another agency sees
    only the question and who it is about, never the whole referral."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="information_requests"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # None: the referrer (and their agency's safeguarding lead).
    to_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="information_requests",
    )
    question = models.TextField()
    asked_at = models.DateTimeField()
    due_by = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [
            # Serves the "request not answered in time" sweep.
            models.Index(
                fields=["due_by"],
                name="info_request_due",
                condition=Q(is_open=True, escalation_level=0),
            ),
            # Serves an agency's list of questions waiting for it.
            models.Index(fields=["to_agency", "is_open"], name="info_request_agency"),
        ]

    def __str__(self) -> str:
        return f"Request on {self.referral}"

    @property
    def asked_of(self) -> str:
        return self.to_agency.name if self.to_agency is not None else "the referrer"


class Challenge(models.Model):
    """A referrer disagrees with the decision (resolving professional
    differences). Step 1: the front-door managers answer by `step_one_due`;
    if not, the sweep takes it to senior managers, who answer by `step_two_due`."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="challenges")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField()
    raised_at = models.DateTimeField()
    step_one_due = models.DateTimeField()
    step_two_due = models.DateTimeField()
    is_open = models.BooleanField(default=True)
    # "A child is at risk now": straight to senior managers, due in hours on
    # the clock (it starts at escalation level 1, so the sweep's senior step
    # is the one that watches it).
    child_at_risk_now = models.BooleanField(default=False)
    # 0: with the front-door managers; 1: escalated to senior managers;
    # 2: senior step overdue too.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=ChallengeOutcome.choices, blank=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            # Serve the two steps of the "challenge not resolved in time" sweep.
            models.Index(
                fields=["step_one_due"],
                name="challenge_step_one_due",
                condition=Q(is_open=True, escalation_level=0),
            ),
            models.Index(
                fields=["step_two_due"],
                name="challenge_step_two_due",
                condition=Q(is_open=True, escalation_level=1),
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge on {self.referral}"

    @property
    def with_whom(self) -> str:
        return "senior managers" if self.escalation_level >= 1 else "front-door managers"


class ReferralLink(models.Model):
    """A front-door worker's decision that an earlier referral is (or is not)
    about the same child or household. Link, never merge."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    earlier = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=LinkStatus.choices)
    reason = models.CharField(max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "earlier"], name="referral_link_once"),
            models.CheckConstraint(
                condition=~Q(referral=models.F("earlier")), name="referral_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} ~ {self.earlier} ({self.status})"
