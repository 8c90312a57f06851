"""A person's own API tokens (agency systems have API keys: agencies)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class PersonalToken(models.Model):
    """A token a person made for their own scripts, after a fresh second
    factor. Only a SHA-256 hash of it is kept, with a short prefix to find
    it; it expires, and stops working once unused for a while, like a
    session left alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    def is_usable(self, now: dt.datetime, *, idle: dt.timedelta) -> bool:
        if self.revoked_at is not None or now >= self.expires_at:
            return False
        since = self.last_used_at or self.created_at
        return now - since < idle
