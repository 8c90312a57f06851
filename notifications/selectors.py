"""Reads of the outbox: its health for monitoring, and what could not be
delivered, for a front door's managers and administrators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet

from notifications.models import Channel, Circuit, DeliveryStatus, Notification

# Counting stops here: past it, the number only tells that there are many.
COUNT_CAP = 10_000


def of_front_doors(front_door_ids: Iterable[int]) -> QuerySet[Notification]:
    """Messages about the front doors' referrals, and their managers'
    summaries (which name no one referral, only the front door)."""
    ids = list(front_door_ids)
    return Notification.objects.filter(
        Q(referral__front_door_id__in=ids) | Q(referral__isnull=True, front_door_id__in=ids)
    )


def failed_messages(front_door_ids: Iterable[int]) -> QuerySet[Notification]:
    """Messages given up on, newest first, for the resend page."""
    return (
        of_front_doors(front_door_ids)
        .filter(status=DeliveryStatus.FAILED)
        .select_related("referral", "webhook")
        .order_by("-created_at", "-id")
    )


def outbox_health(now: dt.datetime) -> dict[str, Any]:
    """What monitoring needs to page someone during an outage, not after it:
    emails and texts waiting, retrying and failed, and how long the oldest
    undelivered one has waited. Email and texts are the front door's own
    business and make the outbox unhealthy; an agency's webhook endpoint being down is reported but
    is that agency's to mend (it is told, and switched off in the end).

    Every count reads a partial index (pending, or failed and recent)."""
    backlog_limit = dt.timedelta(minutes=settings.OUTBOX_BACKLOG_AFTER_MINUTES)
    waiting = Notification.objects.filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING)
    )
    by_channel = {
        row["channel"]: row
        for row in waiting.values("channel").annotate(
            waiting=Count("id"),
            retrying=Count("id", filter=Q(attempts__gte=1)),
            oldest=Min("created_at"),
        )
    }
    failed_since = now - dt.timedelta(hours=settings.OUTBOX_FAILED_ALERT_HOURS)
    failed = dict(
        Notification.objects.filter(status=DeliveryStatus.FAILED, created_at__gte=failed_since)
        .values_list("channel")
        .annotate(count=Count("id"))
    )
    open_circuits = list(
        Circuit.objects.filter(open_until__gt=now).values_list("name", flat=True)[:50]
    )

    def channel_report(channel: str) -> dict[str, Any]:
        row = by_channel.get(channel, {})
        oldest = row.get("oldest")
        return {
            "waiting": row.get("waiting", 0),
            "retrying": row.get("retrying", 0),
            "failed_recently": failed.get(channel, 0),
            "oldest_undelivered_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        }

    email = channel_report(Channel.EMAIL)
    # Texts carry urgent alerts to the on-call phone: as much the front
    # door's own business as its email.
    sms = channel_report(Channel.SMS)
    late = max(email["oldest_undelivered_seconds"], sms["oldest_undelivered_seconds"]) > (
        backlog_limit.total_seconds()
    )
    return {
        "ok": not late and email["failed_recently"] == 0 and sms["failed_recently"] == 0,
        "email": email,
        "sms": sms,
        "webhooks": channel_report(Channel.WEBHOOK),
        "paused": open_circuits,
        "backlog_after_minutes": settings.OUTBOX_BACKLOG_AFTER_MINUTES,
        "failed_alert_hours": settings.OUTBOX_FAILED_ALERT_HOURS,
    }
