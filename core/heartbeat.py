"""Heartbeats: when a background job last finished, so /healthz can tell a
stalled job (beat or every worker stopped, a step that keeps failing) from a
quiet one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from core.models import Heartbeat


def beat(name: str, *, now: dt.datetime | None = None) -> None:
    """Record that the job called `name` has just finished successfully."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"last_success_at": now or timezone.now()}
    )


def heartbeat_status(name: str, *, now: dt.datetime, stalled_after_minutes: int) -> dict[str, Any]:
    """Whether the job has succeeded within the limit. A job that has never
    succeeded counts as stalled: its scheduler may never have started."""
    last = Heartbeat.objects.filter(name=name).values_list("last_success_at", flat=True).first()
    seconds_ago = int((now - last).total_seconds()) if last else None
    stalled = seconds_ago is None or seconds_ago > stalled_after_minutes * 60
    return {
        "ok": not stalled,
        "last_success_at": last.isoformat() if last else None,
        "seconds_ago": seconds_ago,
        "stalled_after_minutes": stalled_after_minutes,
    }
