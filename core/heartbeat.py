"""Heartbeats: when a background job last finished, so /healthz can tell a
stalled job (beat or every worker stopped, a step that keeps failing) from a
quiet one.

Both the beat and its age are read on the database's clock, not the clock of
the machine that ran the job: a worker whose clock runs ahead would otherwise
make a stalled sweep look fresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F
from django.db.models.functions import Now

from core.models import Heartbeat


def beat(name: str, *, at: dt.datetime | None = None) -> None:
    """Record that the job called `name` has just finished successfully (at
    the database's time, or `at` for demonstration data)."""
    when = at if at is not None else Now()
    if not Heartbeat.objects.filter(name=name).update(last_success_at=when):
        Heartbeat.objects.get_or_create(name=name, defaults={"last_success_at": when})


def heartbeat_status(name: str, *, stalled_after_minutes: int) -> dict[str, Any]:
    """Whether the job has succeeded within the limit, by the database's
    clock. A job that has never succeeded counts as stalled: its scheduler
    may never have started."""
    row = (
        Heartbeat.objects.filter(name=name)
        .annotate(age=ExpressionWrapper(Now() - F("last_success_at"), output_field=DurationField()))
        .values("last_success_at", "age")
        .first()
    )
    seconds_ago = int(row["age"].total_seconds()) if row else None
    stalled = seconds_ago is None or seconds_ago > stalled_after_minutes * 60
    return {
        "ok": not stalled,
        "last_success_at": row["last_success_at"].isoformat() if row else None,
        "seconds_ago": seconds_ago,
        "stalled_after_minutes": stalled_after_minutes,
    }
