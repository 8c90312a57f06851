"""Texts for what cannot wait: urgent alerts also go by text (GOV.UK Notify,
the local fake) to whoever is on call, once per alert, with the reason, the
reference and a link, never the child's details."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import OnCallRole, OnCallShift
from notifications.dispatch import dispatch_due_notifications
from notifications.models import Channel, Notification, Purpose
from referrals.escalation.sweep import escalate_overdue_referrals
from tests.conftest import client_for, submit
from tests.notifications.test_notify import injured_baby, police_referral
from tests.notifications.test_receipts import post_receipt

DUTY_PHONE = "07700900123"
SENIOR_PHONE = "07700900456"
RECEIVED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday morning
AFTER_DEADLINE_AT_NIGHT = dt.datetime(2026, 11, 25, 17, 1, tzinfo=dt.UTC)
AFTER_SENIOR_IN_THE_DAY = dt.datetime(2026, 11, 26, 11, 1, tzinfo=dt.UTC)
SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)


def on_call(front_door, *, role=OnCallRole.DUTY_MANAGER, phone=DUTY_PHONE, around=None):
    around = around or timezone.now()
    return OnCallShift.objects.create(
        front_door=front_door,
        role=role,
        name="Pat Duty",
        phone=phone,
        starts_at=around - dt.timedelta(hours=8),
        ends_at=around + dt.timedelta(hours=8),
    )


def test_an_injured_babys_police_email_and_on_call_text_go_once_each_and_arrive(world, notify):
    on_call(world.front_door)
    referral = police_referral(world)
    dispatch_due_notifications(channel=Channel.EMAIL)
    dispatch_due_notifications(channel=Channel.SMS)
    dispatch_due_notifications(now=timezone.now() + dt.timedelta(minutes=10))
    (police,) = notify.to("ppu@police.example")
    (text,) = notify.to(DUTY_PHONE)
    assert text.type == "sms" and referral.reference in text.body
    assert f"/referrals/{referral.reference}/" in text.body
    for detail in ("Leo", "Marsh", "burn", "943 476 5919"):
        assert detail not in text.body
    for message in (police, text):
        assert post_receipt(notify.receipt(message, "delivered")).json() == {"result": "recorded"}
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "email delivered at" in page
    assert "Text message delivered" in page and DUTY_PHONE in page


def test_the_referrer_does_not_see_the_on_call_number_on_the_timeline(world, notify):
    on_call(world.front_door)
    referral = police_referral(world)
    dispatch_due_notifications(channel=Channel.SMS)
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert DUTY_PHONE not in page


def test_nobody_on_call_means_no_text_and_no_error(world, notify):
    on_call(world.front_door, around=timezone.now() - dt.timedelta(days=2))
    police_referral(world)
    assert not Notification.objects.filter(channel=Channel.SMS).exists()


def test_without_notify_no_texts_are_owed(world, settings):
    settings.NOTIFY_API_KEY = ""
    on_call(world.front_door)
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save(update_fields=["police_alert_email"])
    submit(world.hv, now=timezone.now(), **injured_baby())
    assert not Notification.objects.filter(channel=Channel.SMS).exists()


def test_an_urgent_referral_out_of_hours_is_texted_but_a_standard_one_is_not(world, notify):
    on_call(world.front_door, around=SATURDAY_NIGHT)
    urgent = submit(world.hv, now=SATURDAY_NIGHT, urgency="urgent")
    submit(world.hv, now=SATURDAY_NIGHT)
    (text,) = Notification.objects.filter(channel=Channel.SMS)
    assert text.referral_id == urgent.pk and text.purpose == Purpose.OUT_OF_HOURS
    assert text.to_address == DUTY_PHONE and "urgent referral out of hours" in text.body


def test_an_urgent_referral_in_office_hours_is_not_texted(world, notify):
    on_call(world.front_door, around=RECEIVED)
    submit(world.hv, now=RECEIVED, urgency="urgent")
    assert not Notification.objects.filter(channel=Channel.SMS).exists()


def test_an_escalation_at_night_is_texted_to_the_on_call_manager_once(world, notify):
    on_call(world.front_door, around=AFTER_DEADLINE_AT_NIGHT)
    on_call(
        world.front_door,
        role=OnCallRole.SENIOR_MANAGER,
        phone=SENIOR_PHONE,
        around=AFTER_DEADLINE_AT_NIGHT,
    )
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE_AT_NIGHT)
    escalate_overdue_referrals(now=AFTER_DEADLINE_AT_NIGHT + dt.timedelta(minutes=1))
    (text,) = Notification.objects.filter(channel=Channel.SMS)
    assert text.to_address == DUTY_PHONE  # level 1 is the duty manager's, not the senior's
    assert text.referral_id == referral.pk and "escalated to you out of hours" in text.body
    dispatch_due_notifications(channel=Channel.SMS)
    dispatch_due_notifications(channel=Channel.SMS, now=timezone.now() + dt.timedelta(hours=1))
    assert len(notify.to(DUTY_PHONE)) == 1


def test_an_escalation_in_office_hours_goes_by_email_only(world, notify):
    on_call(world.front_door, role=OnCallRole.SENIOR_MANAGER, around=AFTER_SENIOR_IN_THE_DAY)
    submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE_AT_NIGHT)
    escalate_overdue_referrals(now=AFTER_SENIOR_IN_THE_DAY)
    assert not Notification.objects.filter(channel=Channel.SMS).exists()


def test_a_text_waiting_too_long_makes_the_outbox_unhealthy(world, notify):
    from notifications.selectors import outbox_health

    on_call(world.front_door)
    police_referral(world)
    text = Notification.objects.get(channel=Channel.SMS)
    limit = dt.timedelta(minutes=15)  # OUTBOX_BACKLOG_AFTER_MINUTES
    after = text.created_at + limit + dt.timedelta(seconds=1)
    assert outbox_health(after)["ok"] is False  # the emails wait too
    dispatch_due_notifications(channel=Channel.EMAIL)
    assert outbox_health(text.created_at + limit - dt.timedelta(seconds=1))["ok"] is True
    late = outbox_health(after)
    assert late["ok"] is False and late["sms"]["waiting"] == 1
    dispatch_due_notifications(channel=Channel.SMS)
    assert outbox_health(after)["ok"] is True


def test_without_a_text_template_emails_go_through_notify_but_no_texts_are_owed(
    world, notify, settings
):
    settings.NOTIFY_SMS_TEMPLATE_ID = ""
    on_call(world.front_door)
    police_referral(world)
    assert not Notification.objects.filter(channel=Channel.SMS).exists()
    dispatch_due_notifications()
    assert len(notify.to("ppu@police.example")) == 1


def test_a_text_on_the_timeline_is_told_apart_from_an_email(world, notify):
    from referrals.selectors.timeline import timeline

    on_call(world.front_door)
    referral = police_referral(world)
    dispatch_due_notifications(channel=Channel.SMS)
    kinds = {(i.kind, i.title) for i in timeline(referral, viewer=world.mash)}
    assert ("sms_sent", "Text message sent") in kinds
