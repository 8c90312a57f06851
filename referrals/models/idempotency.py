"""Idempotent submission: a record system that timed out can send the same
referral again with the same Idempotency-Key and get the first receipt back."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from referrals.models.referral import Referral


class IdempotencyRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the request body as canonical JSON: the same key with a
    # different body is a client bug, refused with 422.
    fingerprint = models.CharField(max_length=64)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The claim: a second request with the same key waits on this
            # index until the first commits, then finds its referral.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.referral_id}"
