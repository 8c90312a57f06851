"""GOV.UK Notify's delivery receipts (its callback, fed by the local fake):
delivered, permanently failed (a bad address, told and shown), temporarily
failed (sent again), each applied once and only to the attempt it is about."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from notifications.dispatch import dispatch_due_notifications
from notifications.models import DeliveryStatus, Notification, Purpose, Receipt
from tests.conftest import client_for
from tests.notifications.conftest import CALLBACK_TOKEN
from tests.notifications.test_notify import police_referral

RECEIPTS = "/notify/delivery-receipts"


def post_receipt(body: object, token: str = CALLBACK_TOKEN, client: Client | None = None):
    return (client or Client()).post(
        RECEIPTS,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def sent_police_email(world, notify):
    referral = police_referral(world)
    dispatch_due_notifications()
    (message,) = notify.to("ppu@police.example")
    return referral, message, Notification.objects.get(purpose=Purpose.POLICE)


def test_a_delivered_receipt_marks_the_email_delivered_and_the_page_says_so(world, notify):
    referral, message, note = sent_police_email(world, notify)
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "not yet confirmed delivered" in page
    at = dt.datetime(2026, 12, 1, 22, 31, tzinfo=dt.UTC)
    answer = post_receipt(notify.receipt(message, "delivered", at=at))
    assert answer.status_code == 200 and answer.json() == {"result": "recorded"}
    note.refresh_from_db()
    assert note.delivery_receipt == Receipt.DELIVERED and note.delivered_at == at
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "email delivered at 1 Dec 2026, 10:31pm" in page
    assert "Email delivered" in page  # on the timeline too


def test_the_same_receipt_twice_changes_nothing_the_second_time(world, notify):
    _, message, _ = sent_police_email(world, notify)
    body = notify.receipt(message, "delivered")
    assert post_receipt(body).json() == {"result": "recorded"}
    assert post_receipt(body).json() == {"result": "stale"}


def test_a_permanent_failure_is_on_the_dashboard_and_the_referral_and_administrators_told(
    world, notify
):
    referral, message, note = sent_police_email(world, notify)
    assert post_receipt(notify.receipt(message, "permanent-failure")).status_code == 200
    note.refresh_from_db()
    assert note.status == DeliveryStatus.FAILED and note.bad_address
    told = Notification.objects.get(purpose=Purpose.UNDELIVERABLE)
    assert told.to_address == world.admin.email
    assert referral.reference in told.subject and "ppu@police.example" in told.body
    assert "Leo" not in told.body
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "the address does not exist or cannot take messages: phone the police now" in page
    dashboard = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert "Address does not work" in dashboard and "ppu@police.example" in dashboard


def test_a_temporary_failure_sends_the_message_again_once(world, notify):
    _, message, note = sent_police_email(world, notify)
    post_receipt(notify.receipt(message, "temporary-failure"))
    note.refresh_from_db()
    assert note.status == DeliveryStatus.PENDING and note.next_attempt_at > timezone.now()
    dispatch_due_notifications(now=timezone.now() + dt.timedelta(minutes=10))
    again = notify.to("ppu@police.example")
    assert len(again) == 2 and again[0].reference == again[1].reference
    note.refresh_from_db()
    assert note.status == DeliveryStatus.SENT and note.provider_id == again[1].id
    # A late receipt about the first attempt changes nothing now.
    assert post_receipt(notify.receipt(again[0], "technical-failure")).json() == {"result": "stale"}
    dispatch_due_notifications(now=timezone.now() + dt.timedelta(minutes=20))
    assert len(notify.to("ppu@police.example")) == 2


def test_receipts_without_the_bearer_token_are_refused(world, notify, settings):
    _, message, note = sent_police_email(world, notify)
    body = notify.receipt(message, "permanent-failure")
    assert post_receipt(body, token="wrong").status_code == 403
    assert (
        Client().post(RECEIPTS, data=json.dumps(body), content_type="application/json").status_code
        == 403
    )
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = ""
    assert post_receipt(body, token="").status_code == 403
    note.refresh_from_db()
    assert note.status == DeliveryStatus.SENT


def test_a_receipt_that_cannot_be_read_gets_field_errors(db, notify):
    bad = Client().post(
        RECEIPTS,
        data="not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"},
    )
    assert bad.status_code == 400 and "body" in bad.json()["errors"]
    missing = post_receipt({"status": "delivered", "completed_at": "yesterday"})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"id", "reference", "completed_at"}


def test_a_receipt_for_a_message_we_never_sent_is_taken_and_ignored(db, notify):
    answer = post_receipt(
        {"id": "abc", "reference": "00000000-0000-0000-0000-000000000000", "status": "delivered"}
    )
    assert answer.status_code == 200 and answer.json() == {"result": "unknown"}


def test_a_bad_address_resent_from_the_undelivered_page_is_reported_again_if_it_fails_again(
    world, notify
):
    from notifications.services import resend_failed

    _, message, note = sent_police_email(world, notify)
    post_receipt(notify.receipt(message, "permanent-failure"))
    resend_failed(notifications=Notification.objects.filter(pk=note.pk), actor=world.admin)
    dispatch_due_notifications()
    again = notify.to("ppu@police.example")[-1]
    assert again.id != message.id
    note.refresh_from_db()
    assert note.status == DeliveryStatus.SENT and not note.bad_address
    assert post_receipt(notify.receipt(again, "permanent-failure")).json() == {"result": "recorded"}
    assert Notification.objects.filter(purpose=Purpose.UNDELIVERABLE).count() == 2


def test_the_api_timeline_says_delivered_and_shows_the_referrer_only_their_own(world, notify):
    referral, _, _ = sent_police_email(world, notify)
    receipt_to_sender = Notification.objects.get(purpose=Purpose.RECEIPT)
    (message,) = notify.by_reference(str(receipt_to_sender.idempotency_key))
    post_receipt(notify.receipt(message, "delivered"))
    answer = client_for(world.hv).get(f"/api/v1/referrals/{referral.reference}/")
    assert answer.status_code == 200
    delivered = [i for i in answer.json()["timeline"] if i["event"] == "email_delivered"]
    assert [i["summary"] for i in delivered] == [f"Receipt to the sender to {world.hv.email}"]
    # The police email is the front door's: not among the referrer's messages.
    assert not [i for i in answer.json()["timeline"] if "Police notification" in i["summary"]]
