"""GOV.UK Notify for the notification tests: the local fake, configured as
a deployment would configure the real one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.notify_fake import FakeNotify

CALLBACK_TOKEN = "receipts-token-0123456789"


@pytest.fixture
def notify(settings: Any) -> Iterator[FakeNotify]:
    fake = FakeNotify().start()
    email = fake.add_template("email", "((subject))", "((body))")
    sms = fake.add_template("sms", "", "Front Door: ((reference)) needs you now. ((link))")
    police = fake.add_template(
        "email", "Injury to a non-mobile baby: ((reference))", "((body))\n\nOpen: ((link))"
    )
    settings.NOTIFY_API_KEY = fake.api_key
    settings.NOTIFY_BASE_URL = fake.base_url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = email
    settings.NOTIFY_SMS_TEMPLATE_ID = sms
    settings.NOTIFY_TEMPLATE_IDS = {"police": police}
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = CALLBACK_TOKEN
    fake.police_template = police  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        fake.stop()
