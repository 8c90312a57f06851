from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """When a background job last finished, so /healthz can tell a stalled
    escalation engine from a quiet one."""

    name = models.CharField(max_length=64, primary_key=True)
    last_success_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_success_at:%Y-%m-%d %H:%M:%S}"
