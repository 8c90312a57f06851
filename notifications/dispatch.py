"""Delivering the outbox: each message once, at the receiver's pace, never
given up silently, and never able to hold back anything else.

Email and webhooks are dispatched by separate tasks on separate queues, and
the escalation sweep has a queue of its own, so a mail relay or an agency's
endpoint that hangs can delay only its own messages (referrals.tasks,
notifications.tasks, CELERY_TASK_ROUTES).

1. Put back messages whose sender died mid-delivery (lease expired).
2. Take the due messages in order, leaving out places whose circuit is open
   (`Circuit`: after a run of failures a place is left alone for a cool-down),
   and claim each one just before sending it; skip any another dispatcher
   claimed.
3. Send each within its wall-clock deadline (notifications.deadline).
4. Mark it sent; or, after a failure, schedule a retry with back-off capped at
   a few minutes while the message still matters (`retry_until`), and mark it
   failed after that (the dashboard, /healthz and the resend page show it).
   Three failures in a row to the mail relay stop the batch; a failure to a
   webhook endpoint skips that endpoint for the rest of the batch.
5. Go on with the next batch while messages are due, within the task's time
   budget and the deployment's sending rate.
Every state change is conditional on the claim, so a message is marked by the
process that holds it and by no other.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications.deadline import DeliveryDeadline, current_deadline
from notifications.models import Channel, Circuit, DeliveryStatus, Notification
from notifications.notify import NotifyRefused, NotifySender, uses_notify
from notifications.webhooks import NO_ANSWER, DeliveryRefused, switch_off_if_dead
from notifications.webhooks import deliver as deliver_webhook

logger = logging.getLogger(__name__)

EMAIL_CIRCUIT = "email"
SMS_CIRCUIT = "sms"


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after a failed attempt: the base (a minute), doubling, never
    more than the cap (five minutes), so a message is tried again soon after
    an outage ends, however long it lasted."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATION_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def webhook_circuit(webhook_id: int) -> str:
    return f"webhook:{webhook_id}"


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0
    skipped_open_circuits: int = 0
    more_due: bool = False


def _recover_expired_leases(channel: str | None, now: dt.datetime) -> int:
    expired = Notification.objects.filter(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)
    if channel:
        expired = expired.filter(channel=channel)
    return expired.update(status=DeliveryStatus.PENDING, lease_expires_at=None, claim_token=None)


def _circuits(now: dt.datetime) -> tuple[set[str], set[str]]:
    """The places whose circuit is open now, and those with failures counted."""
    rows = Circuit.objects.filter(failures__gt=0).values_list("name", "open_until")
    failing = {name for name, _ in rows}
    return {name for name, until in rows if until is not None and until > now}, failing


def _due(
    *, channel: str | None, now: dt.datetime, limit: int, open_circuits: set[str], skip: set[int]
) -> list[tuple[int, str]]:
    """Candidates, with the place each goes to: each one is claimed on its
    own just before it is sent."""
    due = Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if channel:
        due = due.filter(channel=channel)
    if EMAIL_CIRCUIT in open_circuits:
        due = due.exclude(channel=Channel.EMAIL)
    paused = [int(name.split(":", 1)[1]) for name in open_circuits if name.startswith("webhook:")]
    if paused:
        due = due.exclude(webhook_id__in=paused)
    if skip:
        due = due.exclude(pk__in=skip)
    rows = due.order_by("next_attempt_at", "id").values_list("id", "channel", "webhook_id")[:limit]
    return [(pk, _place(kind, webhook_id)) for pk, kind, webhook_id in rows]


def _claim(notification_id: int, *, now: dt.datetime) -> Notification | None:
    """Claim one message for this process (pending -> sending) with a lease
    and a fresh token. Returns None if another dispatcher got it first.

    Claiming one message at a time, just before sending it, keeps every lease
    as short as one delivery, so a slow receiver can never let a lease run
    out while the message is still queued behind others in a batch."""
    token = uuid.uuid4()
    claimed = Notification.objects.filter(
        pk=notification_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        claim_token=token,
        lease_expires_at=timezone.now() + dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
        attempts=F("attempts") + 1,
        # A new attempt: what a receipt said of an earlier one (a temporary
        # failure; a bad address since put right and resent) is over.
        delivery_receipt="",
        delivered_at=None,
    )
    if not claimed:
        return None
    return Notification.objects.select_related("webhook", "referral").get(pk=notification_id)


class _Mail:
    """One connection to the mail relay for a whole batch, opened when the
    first email is sent and opened again after a failure."""

    def __init__(self, backend: BaseEmailBackend | None) -> None:
        self.backend = backend or get_connection()
        self.opened = False

    def send(self, notification: Notification) -> None:
        connection = getattr(self.backend, "connection", None)
        deadline = current_deadline()
        if connection is not None and deadline is not None:
            # A connection kept open from an earlier message is watched too.
            deadline.watch(connection)
        if not self.opened:
            self.backend.open()
            self.opened = True
        message = EmailMessage(
            connection=self.backend,
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_address],
            headers={"X-Front-Door-Message-Id": str(notification.idempotency_key)},
        )
        try:
            message.send(fail_silently=False)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.opened:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed as far as it can be
                logger.debug("Mail connection closed uncleanly", exc_info=True)
            self.opened = False


class _Senders:
    """The ways out for one batch, each made when first needed."""

    def __init__(self, email_connection: BaseEmailBackend | None) -> None:
        self.mail = _Mail(email_connection)
        self._notify: NotifySender | None = None

    @property
    def notify(self) -> NotifySender:
        if self._notify is None:
            self._notify = NotifySender()
        return self._notify

    def close(self) -> None:
        self.mail.close()


def _deliver(notification: Notification, senders: _Senders) -> str:
    """Deliver one message within its deadline; returns GOV.UK Notify's id
    for it when it went through Notify."""
    with DeliveryDeadline(settings.NOTIFICATION_DELIVERY_DEADLINE_SECONDS):
        if notification.channel == Channel.WEBHOOK:
            deliver_webhook(notification)
            return ""
        if uses_notify(notification.channel):
            return senders.notify.send(notification)
        senders.mail.send(notification)
        return ""


def _mark_sent(
    mine: QuerySet[Notification], *, lease_expires_at: dt.datetime | None, provider_id: str = ""
) -> int:
    """Record that the receiver took the message.

    The message has gone: if the database is unreachable for a moment (a
    restart, a fail-over), keep trying while the lease lasts. Giving up would
    leave the row `sending`, and once the lease ran out it would be sent again.
    """
    pause = 0.2
    while True:
        try:
            return mine.update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                lease_expires_at=None,
                provider_id=provider_id,
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


def still_matters(notification: Notification, now: dt.datetime) -> bool:
    """Whether a message is still worth trying: within its retry window."""
    until = notification.retry_until or notification.created_at + dt.timedelta(
        hours=settings.NOTIFICATION_RETRY_FOR_HOURS
    )
    return now < until


def _place(channel: str, webhook_id: int | None) -> str:
    """Where a message goes, as its circuit is named."""
    if channel == Channel.WEBHOOK and webhook_id:
        return webhook_circuit(webhook_id)
    if channel == Channel.SMS:
        return SMS_CIRCUIT
    return EMAIL_CIRCUIT


def record_success(place: str) -> None:
    Circuit.objects.filter(name=place).exclude(failures=0, open_until__isnull=True).update(
        failures=0, opened_times=0, open_until=None, first_failure_at=None, last_error=""
    )


def record_failure(place: str, *, error: str, now: dt.datetime) -> Circuit:
    """Count a failure to a place; after CIRCUIT_FAILURES in a row, open its
    circuit for a cool-down that doubles each time it opens again, up to a cap."""
    circuit, _ = Circuit.objects.get_or_create(name=place)
    Circuit.objects.filter(name=place).update(failures=F("failures") + 1, last_error=error[:500])
    Circuit.objects.filter(name=place, first_failure_at__isnull=True).update(first_failure_at=now)
    circuit.refresh_from_db()
    if circuit.failures >= settings.CIRCUIT_FAILURES and not circuit.is_open(now):
        cooldown = min(
            settings.CIRCUIT_MAX_COOLDOWN_SECONDS,
            settings.CIRCUIT_COOLDOWN_SECONDS * 2**circuit.opened_times,
        )
        Circuit.objects.filter(name=place).update(
            open_until=now + dt.timedelta(seconds=cooldown), opened_times=F("opened_times") + 1
        )
        circuit.refresh_from_db()
        logger.warning(
            "Deliveries to %s paused for %s s after %s failures: %s",
            place,
            cooldown,
            circuit.failures,
            error,
        )
    return circuit


def dispatch_due_notifications(
    *,
    channel: str | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
    budget_seconds: float | None = None,
    email_connection: BaseEmailBackend | None = None,
    only_ids: Iterable[int] | None = None,
) -> DispatchResult:
    """Deliver what is due on one channel (or both), batch after batch, until
    nothing more is due or `budget_seconds` is spent (see the module's steps).
    Each message is tried at most once per call."""
    now = now or timezone.now()
    limit = limit or settings.DISPATCH_BATCH_SIZE
    result = DispatchResult()
    result.recovered = _recover_expired_leases(channel, now)
    started = time.monotonic()
    senders = _Senders(email_connection)
    tried: set[int] = set()
    wanted = set(only_ids) if only_ids is not None else None
    rate = settings.EMAIL_RATE_PER_SECOND
    last_email = 0.0
    try:
        while True:
            open_circuits, failing = _circuits(now)
            due = _due(
                channel=channel, now=now, limit=limit, open_circuits=open_circuits, skip=tried
            )
            if wanted is not None:
                due = [(pk, place) for pk, place in due if pk in wanted]
            if not due:
                break
            # Places that failed in this batch are left alone until the next:
            # the mail relay after CIRCUIT_FAILURES failures in a row (rather
            # than spend a deadline on every message behind them), a webhook
            # endpoint after one.
            skip_places: set[str] = set()
            failures_in_a_row = 0
            for notification_id, place in due:
                if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                    result.more_due = True
                    return result
                tried.add(notification_id)
                if place in skip_places:
                    result.skipped_open_circuits += 1
                    continue
                notification = _claim(notification_id, now=now)
                if notification is None:
                    continue
                # Every later change is conditional on still holding the claim.
                mine = Notification.objects.filter(
                    pk=notification.pk,
                    status=DeliveryStatus.SENDING,
                    claim_token=notification.claim_token,
                )
                if notification.channel == Channel.EMAIL and rate:
                    wait = last_email + 1 / rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    last_email = time.monotonic()
                try:
                    provider_id = _deliver(notification, senders)
                except NotifyRefused as exc:
                    # The message's own fault (a bad address): no repeat
                    # would be taken, and the place itself is working.
                    _give_up(notification, mine, error=str(exc)[:500], result=result)
                    continue
                except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded
                    error = _describe(notification, exc)
                    _after_failure(notification, mine, error=error, now=now, result=result)
                    circuit = record_failure(place, error=error, now=now)
                    failing.add(place)
                    if place != EMAIL_CIRCUIT:
                        skip_places.add(place)
                        switch_off_if_dead(notification, circuit, now=now)
                        continue
                    failures_in_a_row += 1
                    if failures_in_a_row >= settings.CIRCUIT_FAILURES or circuit.is_open(now):
                        skip_places.add(place)
                    continue
                if place == EMAIL_CIRCUIT:
                    failures_in_a_row = 0
                if place in failing:
                    record_success(place)
                    failing.discard(place)
                if _mark_sent(
                    mine, lease_expires_at=notification.lease_expires_at, provider_id=provider_id
                ):
                    result.sent += 1
                else:
                    logger.warning(
                        "Notification %s was sent after its lease ran out", notification.pk
                    )
            if len(due) < limit:
                break
    finally:
        senders.close()
    return result


def _describe(notification: Notification, exc: BaseException) -> str:
    if notification.channel == Channel.WEBHOOK:
        # What the agency is shown: the status its endpoint answered, or that
        # it did not answer; never which network error, nor whether it was
        # slow or refused, which would tell an open port from a closed one.
        if isinstance(exc, DeliveryRefused) or str(exc).startswith("HTTP "):
            return str(exc)[:500]
        return NO_ANSWER
    return f"{type(exc).__name__}: {exc}"[:500]


def _after_failure(
    notification: Notification,
    mine: QuerySet[Notification],
    *,
    error: str,
    now: dt.datetime,
    result: DispatchResult,
) -> None:
    if still_matters(notification, now):
        mine.update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            lease_expires_at=None,
            next_attempt_at=now + retry_delay(notification.attempts),
        )
        result.retrying += 1
    else:
        _give_up(notification, mine, error=error, result=result)


def _give_up(
    notification: Notification,
    mine: QuerySet[Notification],
    *,
    error: str,
    result: DispatchResult,
) -> None:
    mine.update(status=DeliveryStatus.FAILED, last_error=error, lease_expires_at=None)
    result.failed += 1
    logger.error("Notification %s failed for good: %s", notification.pk, error)
