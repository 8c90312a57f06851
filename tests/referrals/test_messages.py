"""Emails say what to do and by when, never the child's details, the concern
or the decision: the portal is the record."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.models import Notification
from referrals.models import Decision
from tests.conftest import decided, submit


def test_the_outcome_email_does_not_say_what_was_decided(world):
    referral = decided(world)
    [outcome] = Notification.objects.filter(referral=referral, purpose="outcome")
    for label in Decision.labels:
        assert label.lower() not in (outcome.subject + outcome.body).lower()
    assert referral.reference in outcome.body


def test_urgent_alerts_to_the_police_and_managers_do_not_name_the_concern(world):
    baby = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    referral = submit(
        world.hv, concern={"categories": ["non_mobile_injury"]}, child={"date_of_birth": baby}
    )
    alerts = Notification.objects.filter(referral=referral, purpose__in=["police", "urgent_alert"])
    assert alerts.exists()
    for alert in alerts:
        text = (alert.subject + alert.body).lower()
        assert "injur" not in text and "baby" not in text and "mobile" not in text
        assert referral.reference in alert.subject
