"""Writing to the outbox, and resending what could not be delivered.

`queue_notifications` is called inside the transaction of the change it
reports, so a message exists exactly when the change does. Delivery happens
later (notifications.dispatch), outside any transaction that holds user data.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import WEB, Origin, record_event
from notifications.models import Channel, DeliveryStatus, Notification, Purpose
from notifications.notify import sends_texts

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


# Messages that carry an escalation or an urgent alert are tried for longer:
# they matter for as long as the alert they carry might still be acted on.
URGENT_PURPOSES = frozenset(
    {
        Purpose.ESCALATION,
        Purpose.POLICE,
        Purpose.URGENT_ALERT,
        Purpose.OUT_OF_HOURS,
    }
)


def retry_until(purpose: str, *, from_time: dt.datetime) -> dt.datetime:
    """Until when a message is tried again after failures (capped back-off)."""
    hours = (
        settings.NOTIFICATION_URGENT_RETRY_FOR_HOURS
        if purpose in URGENT_PURPOSES
        else settings.NOTIFICATION_RETRY_FOR_HOURS
    )
    return from_time + dt.timedelta(hours=hours)


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
            retry_until=retry_until(purpose, from_time=now),
        )
        for recipient in recipients
    ]


def build_texts(
    *,
    purpose: str,
    phones: Iterable[str],
    text: str,
    referral_id: int | None,
    now: dt.datetime,
    front_door_id: int | None = None,
) -> list[Notification]:
    """Unsaved outbox rows, one text message per phone, when GOV.UK Notify
    is configured for texts (notifications.notify.sends_texts); none
    otherwise. `text` is a reason, the reference and a link: never a
    child's details."""
    if not sends_texts():
        return []
    return [
        Notification(
            channel=Channel.SMS,
            purpose=purpose,
            referral_id=referral_id,
            front_door_id=front_door_id,
            to_address=phone,
            subject=text[:200],
            body=text,
            next_attempt_at=now,
            created_at=now,
            retry_until=retry_until(purpose, from_time=now),
        )
        for phone in dict.fromkeys(phones)
    ]


def queue_notifications(notifications: list[Notification]) -> list[Notification]:
    """Save outbox rows (inside the caller's transaction) and nudge the
    dispatcher once the transaction commits."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications)
    for channel in {n.channel for n in created}:
        transaction.on_commit(partial(nudge_dispatcher, channel), robust=True)
    return created


# After the broker fails to answer, web requests stop trying for a while so a
# broker outage costs each submission nothing (the beat dispatcher catches up).
BROKER_BACKOFF_SECONDS = 30.0
# The dispatch task of each channel, by name: the task module imports this
# one, not the other way round. Each runs on its own queue (CELERY_TASK_ROUTES).
DISPATCH_TASKS: dict[str, str] = {
    Channel.EMAIL: "notifications.tasks.dispatch_email",
    Channel.WEBHOOK: "notifications.tasks.dispatch_webhooks",
    Channel.SMS: "notifications.tasks.dispatch_sms",
}
_broker_down_until = 0.0


def nudge_dispatcher(channel: str = Channel.EMAIL) -> None:
    """Ask a worker to deliver this channel's messages now. If the broker is
    down this fails quietly: the rows are committed and the beat-driven
    dispatcher will deliver them."""
    global _broker_down_until
    from celery import current_app

    if time.monotonic() < _broker_down_until:
        return
    try:
        current_app.send_task(DISPATCH_TASKS[channel], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure must not reach the user
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Could not reach the task broker; notifications will be sent later")


def resend_failed(
    *, notifications: QuerySet[Notification], actor: User | None, origin: Origin = WEB
) -> int:
    """Send failed messages again, now, each with its own message id, so a
    receiver that did get one after all can drop the repeat. Each gets a new
    retry window. Returns how many were put back in the outbox."""
    now = timezone.now()
    with transaction.atomic():
        # Each row is put back by a conditional update (failed -> pending),
        # so two administrators pressing at once send each message once.
        failed = list(
            notifications.filter(status=DeliveryStatus.FAILED).values_list(
                "id", "purpose", "channel"
            )
        )
        for pk, purpose, _ in failed:
            Notification.objects.filter(pk=pk, status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                retry_until=retry_until(purpose, from_time=now),
                lease_expires_at=None,
                claim_token=None,
            )
        if failed:
            record_event(
                actor=actor,
                action=Action.MESSAGES_RESENT,
                object_type="notification",
                object_ref=f"{len(failed)} messages",
                origin=origin,
                detail={"ids": [pk for pk, _, _ in failed][:1000]},
            )
        for channel in {channel for _, _, channel in failed}:
            transaction.on_commit(partial(nudge_dispatcher, channel), robust=True)
    return len(failed)
