"""Email through GOV.UK Notify (the local fake of its API): sent once, with
the outbox's key as Notify's reference and no child's details, and nothing
lost or sent twice while Notify refuses, rate limits or drops connections."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from notifications.dispatch import dispatch_due_notifications
from notifications.models import Circuit, DeliveryStatus, Notification, Purpose
from tests.conftest import submit

LATER = dt.timedelta(minutes=10)


def injured_baby() -> dict[str, object]:
    born = (timezone.now().date() - dt.timedelta(weeks=12)).isoformat()
    return {
        "child": {"date_of_birth": born},
        "concern": {"categories": ["non_mobile_injury"]},
    }


def police_referral(world):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save(update_fields=["police_alert_email"])
    return submit(world.hv, now=timezone.now(), **injured_baby())


def test_each_email_goes_through_notify_once_with_its_key_as_the_reference(world, notify):
    referral = police_referral(world)
    first = dispatch_due_notifications()
    second = dispatch_due_notifications(now=timezone.now() + LATER)
    owed = Notification.objects.filter(referral=referral)
    assert first.sent == owed.count() and second.sent == 0
    assert sorted(s.reference for s in notify.sent) == sorted(str(n.idempotency_key) for n in owed)
    for note in owed:
        assert note.status == DeliveryStatus.SENT
        assert note.provider_id == notify.by_reference(str(note.idempotency_key))[0].id
        assert note.delivered_at is None  # sent is not delivered


def test_what_notify_is_given_names_no_child_and_no_concern(world, notify):
    referral = police_referral(world)
    dispatch_due_notifications()
    assert notify.sent
    for message in notify.sent:
        given = " ".join(str(v) for v in message.personalisation.values())
        for detail in ("Leo", "Marsh", "Canal Row", "943 476 5919", "burn", "NB1 4QT"):
            assert detail not in given
        assert message.personalisation["reference"] == referral.reference


def test_the_police_email_uses_its_own_template(world, notify):
    referral = police_referral(world)
    dispatch_due_notifications()
    (police,) = notify.to("ppu@police.example")
    assert police.template_id == notify.police_template
    assert police.subject == f"Injury to a non-mobile baby: {referral.reference}"
    assert f"/referrals/{referral.reference}/" in police.body
    others = [s for s in notify.sent if s.to != "ppu@police.example"]
    assert others and all(s.template_id != notify.police_template for s in others)


def test_an_address_notify_refuses_fails_at_once_and_leaves_the_rest_going(world, notify):
    world.front_door.police_alert_email = "not-an-address"
    world.front_door.save(update_fields=["police_alert_email"])
    submit(world.hv, now=timezone.now(), **injured_baby())
    result = dispatch_due_notifications()
    refused = Notification.objects.get(purpose=Purpose.POLICE)
    assert refused.status == DeliveryStatus.FAILED
    assert refused.attempts == 1
    assert "Not a valid email address" in refused.last_error
    assert result.failed == 1 and result.sent == Notification.objects.count() - 1
    # The message's fault, not Notify's: the circuit stays closed.
    assert not Circuit.objects.filter(failures__gt=0).exists()


def test_rate_limiting_and_an_outage_lose_nothing_and_send_nothing_twice(world, notify):
    referral = police_referral(world)
    owed = Notification.objects.filter(referral=referral).count()
    now = timezone.now()
    notify.rate_limited = -1
    limited = dispatch_due_notifications(now=now)
    assert limited.sent == 0 and limited.retrying >= 1
    tried = Notification.objects.filter(attempts=1).first()
    assert tried is not None and "429" in tried.last_error
    notify.heal()
    notify.down = -1
    for minutes in range(1, 6):  # five minutes of a Notify that drops every connection
        dispatch_due_notifications(now=now + dt.timedelta(minutes=minutes, seconds=1))
    assert notify.sent == []
    assert not Notification.objects.filter(status=DeliveryStatus.FAILED).exists()
    notify.heal()
    later = now + dt.timedelta(hours=1)
    while Notification.objects.exclude(status=DeliveryStatus.SENT).exists():
        assert later < now + dt.timedelta(hours=2), "the outbox did not drain"
        dispatch_due_notifications(now=later)
        later += dt.timedelta(minutes=5)
    references = [s.reference for s in notify.sent]
    assert len(references) == owed == len(set(references))


def test_an_answer_lost_after_notify_took_the_message_is_not_sent_again(world, notify):
    police_referral(world)
    owed = Notification.objects.count()
    notify.take_then_drop = 1
    first = dispatch_due_notifications()
    assert first.retrying == 1 and len(notify.sent) == owed
    dropped = Notification.objects.get(status=DeliveryStatus.PENDING)
    dispatch_due_notifications(now=timezone.now() + LATER)
    dropped.refresh_from_db()
    assert dropped.status == DeliveryStatus.SENT
    assert len(notify.sent) == owed  # asked Notify by reference, and it had it
    assert dropped.provider_id == notify.by_reference(str(dropped.idempotency_key))[0].id


def test_a_key_notify_does_not_know_is_retried_not_given_up(world, notify, settings):
    settings.NOTIFY_API_KEY = f"front_door_test-{notify.service_id}-{'0' * 36}"
    submit(world.hv, now=timezone.now())
    result = dispatch_due_notifications()
    assert result.sent == 0 and notify.sent == []
    note = Notification.objects.filter(attempts=1).first()
    assert note is not None and note.status == DeliveryStatus.PENDING
    assert "403" in note.last_error and "Invalid token" in note.last_error


def test_a_notify_that_trickles_its_answer_costs_one_deadline_not_a_worker(world, notify, settings):
    from tests.notifications.test_delivery_deadline import SlowServer

    # An HTTP answer that never ends, one header byte at a time: no single
    # read waits long enough to time out.
    server = SlowServer(reply=b"HTTP/1.1 201 Created\r\nX-Slow: " + b"a" * 10_000)
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.port}"
    settings.NOTIFY_TIMEOUT_SECONDS = 10
    settings.NOTIFICATION_DELIVERY_DEADLINE_SECONDS = 1
    settings.CIRCUIT_FAILURES = 2
    try:
        submit(world.hv, now=timezone.now())
        started = time.monotonic()
        result = dispatch_due_notifications()
        took = time.monotonic() - started
    finally:
        server.close()
    # Two deadlines, then the circuit opens and the rest wait untouched.
    assert result.sent == 0 and result.retrying == 2
    assert took < 4
    assert "DeliveryTimedOut" in Notification.objects.filter(attempts=1).first().last_error  # type: ignore[union-attr]
