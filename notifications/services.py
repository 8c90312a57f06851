"""Queueing and delivering notifications through the outbox.

`queue_notification` is called inside the transaction of the change it reports,
so a message exists exactly when the change does. Delivery happens later, in
`dispatch_due_notifications`, outside any transaction that holds user data.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications.models import DeliveryStatus, Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    address: str
    user_id: int | None = None


def recipients_for_users(users: Iterable[AbstractBaseUser]) -> list[Recipient]:
    seen: set[str] = set()
    result = []
    for user in users:
        address = (getattr(user, "email", "") or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(Recipient(address=address, user_id=user.pk))
    return result


def build_notifications(
    *,
    purpose: str,
    recipients: Iterable[Recipient],
    subject: str,
    body: str,
    referral_id: int | None,
    now: dt.datetime,
    front_door_id: int | None = None,
) -> list[Notification]:
    """Unsaved outbox rows, one per recipient, for the caller to bulk-create."""
    return [
        Notification(
            purpose=purpose,
            referral_id=referral_id,
            front_door_id=front_door_id,
            recipient_id=recipient.user_id,
            to_address=recipient.address,
            subject=subject,
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for recipient in recipients
    ]


def queue_notifications(notifications: list[Notification]) -> list[Notification]:
    """Save outbox rows (inside the caller's transaction) and nudge the
    dispatcher once the transaction commits."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications)
    transaction.on_commit(nudge_dispatcher, robust=True)
    return created


# After the broker fails to answer, web requests stop trying for a while so a
# broker outage costs each submission nothing (the beat dispatcher catches up).
BROKER_BACKOFF_SECONDS = 30.0
DISPATCH_TASK = "notifications.tasks.dispatch_notifications"
_broker_down_until = 0.0


def nudge_dispatcher() -> None:
    """Ask a worker to deliver now. If the broker is down this fails quietly:
    the rows are committed and the beat-driven dispatcher will deliver them."""
    global _broker_down_until
    from celery import current_app

    if time.monotonic() < _broker_down_until:
        return
    try:
        # By name: the task module imports this one, not the other way round.
        current_app.send_task(DISPATCH_TASK, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure must not reach the user
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Could not reach the task broker; notifications will be sent later")


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after a failed attempt: 1, 2, 4, 8... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0


def _due_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """Candidates only: each one is claimed on its own just before it is sent."""
    return list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _claim(notification_id: int, *, now: dt.datetime) -> Notification | None:
    """Claim one message for this process (pending -> sending) with a lease
    and a fresh token. Returns None if another dispatcher got it first.

    Claiming one message at a time, just before sending it, keeps every lease
    as short as one delivery, so a slow mail server can never let a lease run
    out while the message is still queued behind others in a batch.
    """
    token = uuid.uuid4()
    claimed = Notification.objects.filter(
        pk=notification_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        claim_token=token,
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return Notification.objects.select_related("webhook").get(pk=notification_id)


def _deliver(notification: Notification, connection: BaseEmailBackend | None) -> None:
    if notification.channel == "webhook":
        from notifications.webhooks import deliver

        deliver(notification)
        return
    message = EmailMessage(
        connection=connection,
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers={"X-Front-Door-Message-Id": str(notification.idempotency_key)},
    )
    message.send(fail_silently=False)


def _mark_sent(mine: QuerySet[Notification], *, lease_expires_at: dt.datetime | None) -> int:
    """Record that the receiver took the message.

    The message has gone: if the database is unreachable for a moment (a
    restart, a fail-over), keep trying while the lease lasts. Giving up would
    leave the row `sending`, and once the lease ran out it would be sent again.
    """
    pause = 0.2
    while True:
        try:
            return mine.update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), lease_expires_at=None
            )
        except (OperationalError, InterfaceError):
            if (
                lease_expires_at is None
                or timezone.now() + dt.timedelta(seconds=pause + 1) >= lease_expires_at
            ):
                raise
            logger.warning("Database unreachable while recording a sent message; trying again")
            if not db_connection.in_atomic_block:
                # Drop the broken connection; the next query opens a new one.
                db_connection.close_if_unusable_or_obsolete()
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def dispatch_due_notifications(
    *,
    now: dt.datetime | None = None,
    limit: int = 200,
    email_connection: BaseEmailBackend | None = None,
    only_ids: list[int] | None = None,
) -> DispatchResult:
    """Deliver what is due.

    1. Put back messages whose sender died mid-delivery (lease expired).
    2. Take the due messages in order and claim each one just before
       sending it (see `_claim`); skip any another dispatcher claimed.
    3. Send each; mark it sent, or schedule a retry with back-off, or after
       NOTIFICATION_MAX_ATTEMPTS mark it failed for the managers' dashboard.
    Every state change is conditional on the claim, so a message is marked
    by the process that holds it and by no other.
    """
    now = now or timezone.now()
    result = DispatchResult()
    result.recovered = Notification.objects.filter(
        status=DeliveryStatus.SENDING, lease_expires_at__lt=now
    ).update(status=DeliveryStatus.PENDING, lease_expires_at=None, claim_token=None)

    due = (
        _due_ids(now=now, limit=limit)
        if only_ids is None
        else [i for i in _due_ids(now=now, limit=10_000) if i in set(only_ids)]
    )
    for notification_id in due:
        notification = _claim(notification_id, now=now)
        if notification is None:
            continue
        # Every later change is conditional on still holding the claim.
        mine = Notification.objects.filter(
            pk=notification.pk, status=DeliveryStatus.SENDING, claim_token=notification.claim_token
        )
        try:
            _deliver(notification, email_connection)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded
            error = f"{type(exc).__name__}: {exc}"[:500]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                mine.update(status=DeliveryStatus.FAILED, last_error=error, lease_expires_at=None)
                result.failed += 1
                logger.error("Notification %s failed for good: %s", notification.pk, error)
            else:
                mine.update(
                    status=DeliveryStatus.PENDING,
                    last_error=error,
                    lease_expires_at=None,
                    next_attempt_at=timezone.now() + retry_delay(notification.attempts),
                )
                result.retrying += 1
            continue
        if _mark_sent(mine, lease_expires_at=notification.lease_expires_at):
            result.sent += 1
        else:
            logger.warning("Notification %s was sent after its lease ran out", notification.pk)
    return result
