"""In a browser: an injured baby's police email and on-call text go through
GOV.UK Notify (the local fake), the referral page says which arrived, and a
bad address is on the manager's dashboard. Accessible, and without
JavaScript."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import OnCallRole, OnCallShift
from notifications.dispatch import dispatch_due_notifications
from notifications.models import Notification, Purpose
from tests.conftest import submit
from tests.e2e.conftest import assert_accessible, shot, sign_in
from tests.notifications.notify_fake import FakeNotify

TOKEN = "receipts-token-for-the-browser"


@pytest.fixture
def notify(settings: Any) -> Iterator[FakeNotify]:
    fake = FakeNotify().start()
    settings.NOTIFY_API_KEY = fake.api_key
    settings.NOTIFY_BASE_URL = fake.base_url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = fake.add_template("email", "((subject))", "((body))")
    settings.NOTIFY_SMS_TEMPLATE_ID = fake.add_template("sms", "", "((body))")
    settings.NOTIFY_TEMPLATE_IDS = {}
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = TOKEN
    yield fake
    fake.stop()


def receipt(body: dict[str, Any]) -> None:
    answer = Client().post(
        "/notify/delivery-receipts",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.json() == {"result": "recorded"}


def test_the_page_says_delivered_and_the_dashboard_shows_a_bad_address(people, notify, new_page):
    now = timezone.now()
    people.front_door.police_alert_email = "ppu@police.example"
    people.front_door.save(update_fields=["police_alert_email"])
    OnCallShift.objects.create(
        front_door=people.front_door,
        role=OnCallRole.DUTY_MANAGER,
        name="Pat Duty",
        phone="07700 900 123",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=8),
    )
    born = (now.date() - dt.timedelta(weeks=12)).isoformat()
    referral = submit(
        people.hv,
        now=now,
        child={"date_of_birth": born},
        concern={"categories": ["non_mobile_injury"]},
    )
    dispatch_due_notifications()
    (police,) = notify.to("ppu@police.example")
    (text,) = notify.to("07700900123")
    (manager,) = [m for m in notify.to(people.manager.email) if "needs a manager" in m.subject]
    at = dt.datetime(2026, 12, 1, 22, 31, tzinfo=dt.UTC)
    receipt(notify.receipt(police, "delivered", at=at))
    receipt(notify.receipt(text, "delivered", at=at))
    receipt(notify.receipt(manager, "permanent-failure"))
    assert Notification.objects.filter(purpose=Purpose.UNDELIVERABLE).exists()

    page = new_page(javascript=False)
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{referral.reference}/")
    banner = page.locator(".govuk-notification-banner").first.inner_text()
    assert "email delivered at 1 Dec 2026, 10:31pm" in banner
    timeline = page.locator(".app-timeline").inner_text()
    assert "Text message delivered" in timeline
    assert "the address does not exist or cannot take messages" in timeline
    shot(page, "delivery-receipts-referral")

    page = new_page()
    sign_in(page, people.manager.username)
    page.goto(f"/referrals/{referral.reference}/")
    assert "email delivered at" in page.locator(".govuk-notification-banner").first.inner_text()
    assert_accessible(page, "referral page with delivery receipts")
    page.goto("/front-door/dashboard/")
    row = page.locator("#deliveries + .app-table-scroll tr", has_text=people.manager.email)
    assert "Address does not work" in row.inner_text()
    shot(page, "delivery-receipts-dashboard")
    assert_accessible(page, "dashboard with an address that does not work")
