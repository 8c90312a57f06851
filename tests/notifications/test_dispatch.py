"""Delivering the outbox: sent once, retried with back-off, failures kept for managers."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import connection
from django.utils import timezone

from notifications.dispatch import dispatch_due_notifications
from notifications.models import DeliveryStatus, Notification
from tests.conftest import submit

# Nothing listens on port 9 (discard) here: a real, refused SMTP connection.
DEAD_SMTP: dict[str, Any] = {
    "backend": "django.core.mail.backends.smtp.EmailBackend",
    "host": "127.0.0.1",
    "port": 9,
    "timeout": 2,
}


def test_due_messages_are_sent_once_and_marked_sent(world):
    referral = submit(world.hv)
    first = dispatch_due_notifications()
    second = dispatch_due_notifications()
    assert first.sent == 3 and second.sent == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.hv.email, world.mash.email, world.manager.email]
    )
    assert all(referral.reference in m.subject for m in mail.outbox)
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_each_email_carries_its_message_id_so_a_repeat_can_be_dropped(world):
    submit(world.hv)
    dispatch_due_notifications()
    keys = {m.extra_headers["X-Front-Door-Message-Id"] for m in mail.outbox}
    assert keys == {str(k) for k in Notification.objects.values_list("idempotency_key", flat=True)}


def test_a_failed_send_is_retried_later_with_back_off(world):
    submit(world.hv)
    result = dispatch_due_notifications(email_connection=get_connection(**DEAD_SMTP))
    assert result.retrying == 3 and result.sent == 0
    note = Notification.objects.first()
    assert note is not None
    assert note.status == DeliveryStatus.PENDING
    assert note.attempts == 1
    assert "ConnectionRefusedError" in note.last_error
    assert note.next_attempt_at > timezone.now()
    # Not due yet, so a dispatch now does nothing; once due, it is delivered.
    assert dispatch_due_notifications().sent == 0
    assert dispatch_due_notifications(now=timezone.now() + dt.timedelta(minutes=2)).sent == 3


def test_after_its_retry_window_a_message_is_marked_failed(world):
    submit(world.hv)
    note = Notification.objects.get(purpose="receipt")
    assert note.retry_until is not None
    dispatch_due_notifications(
        now=note.retry_until + dt.timedelta(minutes=1), email_connection=get_connection(**DEAD_SMTP)
    )
    note.refresh_from_db()
    assert note.status == DeliveryStatus.FAILED
    assert "ConnectionRefusedError" in note.last_error


def test_a_message_is_tried_for_as_long_as_it_matters_not_six_times(world):
    # An outage of two hours: the old rule gave up after six attempts and
    # about 31 minutes. Each email is tried again every five minutes at most,
    # and delivered once the relay is back.
    submit(world.hv)
    dead = get_connection(**DEAD_SMTP)
    later = timezone.now()
    for _ in range(24):
        later += dt.timedelta(minutes=5, seconds=1)
        dispatch_due_notifications(now=later, email_connection=dead)
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert min(Notification.objects.values_list("attempts", flat=True)) > 6
    result = dispatch_due_notifications(now=later + dt.timedelta(minutes=6))
    assert result.sent == 3
    assert len(mail.outbox) == 3


def test_escalations_and_urgent_alerts_are_tried_for_longer_than_receipts(world):
    submit(
        world.hv,
        concern={"categories": ["non_mobile_injury"]},
        child={"date_of_birth": (timezone.localdate() - dt.timedelta(days=30)).isoformat()},
    )
    windows = {
        note.purpose: (note.retry_until or note.created_at) - note.created_at
        for note in Notification.objects.all()
    }
    assert windows["receipt"] == dt.timedelta(hours=72)
    assert windows["urgent_alert"] == dt.timedelta(hours=168)


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_message_once(world):
    for _ in range(10):
        submit(world.hv)
    start = threading.Barrier(2)
    results = []

    def dispatch() -> None:
        try:
            start.wait()
            results.append(dispatch_due_notifications())
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in results) == 30
    assert len(mail.outbox) == 30
    keys = [m.extra_headers["X-Front-Door-Message-Id"] for m in mail.outbox]
    assert len(set(keys)) == 30


def test_a_dispatcher_whose_lease_ran_out_does_not_overwrite_the_new_claim(world):
    from notifications.dispatch import _claim

    submit(world.hv)
    note = Notification.objects.first()
    assert note is not None
    stale = _claim(note.pk, now=timezone.now())
    Notification.objects.filter(pk=note.pk).update(status=DeliveryStatus.PENDING)
    fresh = _claim(note.pk, now=timezone.now())
    assert stale is not None and fresh is not None
    assert stale.claim_token != fresh.claim_token
    changed = Notification.objects.filter(pk=note.pk, claim_token=stale.claim_token).update(
        status=DeliveryStatus.SENT
    )
    assert changed == 0


def test_a_sent_message_is_still_marked_sent_when_the_database_blinks(world):
    # The mail server took the message, then PostgreSQL restarted before the
    # row was marked sent: the dispatcher tries again while its lease lasts,
    # instead of leaving the row to be sent a second time.
    from unittest import mock

    from django.db import OperationalError
    from django.db.models import QuerySet

    submit(world.hv)
    real_update = QuerySet.update
    failures: list[int] = []

    def blink(self, **fields):
        if fields.get("status") == DeliveryStatus.SENT and len(failures) < 2:
            failures.append(1)
            raise OperationalError("terminating connection due to administrator command")
        return real_update(self, **fields)

    with (
        mock.patch.object(QuerySet, "update", autospec=True, side_effect=blink),
        mock.patch("notifications.services.time.sleep"),
    ):
        result = dispatch_due_notifications()
    assert failures == [1, 1]
    assert result.sent == 3
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_database_outage_longer_than_the_lease_is_left_to_the_lease(world, settings):
    from unittest import mock

    from django.db import OperationalError
    from django.db.models import QuerySet

    settings.NOTIFICATION_LEASE_SECONDS = 1
    submit(world.hv)
    real_update = QuerySet.update

    def down(self, **fields):
        if fields.get("status") == DeliveryStatus.SENT:
            raise OperationalError("connection refused")
        return real_update(self, **fields)

    with (
        mock.patch.object(QuerySet, "update", autospec=True, side_effect=down),
        pytest.raises(OperationalError),
    ):
        dispatch_due_notifications()
    # Sent once, still 'sending': recovered and sent again after the lease.
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(status=DeliveryStatus.SENDING).count() == 1
