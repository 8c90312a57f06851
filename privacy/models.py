"""Retention rules as data, holds that stop destruction, and a log of what
was destroyed (references and dates only: the proof, not the content)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from referrals.models import Decision


class RecordType(models.TextChoices):
    DECIDED_REFERRAL = (
        "decided_referral",
        "Decided referrals and consultations, with everything on them",
    )
    DRAFT = "draft", "Unsent drafts"
    IDEMPOTENCY = "idempotency", "API retry records (Idempotency-Key)"


class RetentionRule(models.Model):
    """How long a kind of record is kept. For decided referrals, a rule for
    one decision wins over a rule for any decision."""

    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    decision = models.CharField(
        max_length=32,
        choices=Decision.choices,
        blank=True,
        help_text="Decided referrals only: leave blank for every decision.",
    )
    keep_for_days = models.PositiveIntegerField(
        help_text="Counted from the decision (referrals) or the last change (drafts, retry "
        "records).",
    )
    basis = models.TextField(
        help_text="Why this long: the local retention schedule or law it follows.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "decision"], name="one_rule_per_record_and_decision"
            ),
        ]
        ordering = ["record_type", "decision"]

    def __str__(self) -> str:
        scope = f" ({self.get_decision_display()})" if self.decision else ""
        return f"{self.get_record_type_display()}{scope}: {self.keep_for_days} days"


class RetentionHold(models.Model):
    """Keep this referral (and everything linked to it as the same child's
    history) whatever the rules say: an inquiry, a review, a legal claim."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="retention_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["referral"],
                name="hold_active_referral",
                condition=models.Q(lifted_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Hold on {self.referral.reference}" + (" (lifted)" if self.lifted_at else "")


class DestructionRecord(models.Model):
    """One row per referral destroyed: enough to answer "did you hold a record,
    and when was it destroyed, under which rule" with nothing about the child."""

    reference = models.CharField(max_length=12, unique=True)
    front_door_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=16)
    received_on = models.DateField()
    decided_on = models.DateField()
    rule = models.CharField(max_length=200)
    destroyed_at = models.DateTimeField()

    class Meta:
        ordering = ["-destroyed_at"]

    def __str__(self) -> str:
        return f"{self.reference} destroyed {self.destroyed_at:%Y-%m-%d}"
