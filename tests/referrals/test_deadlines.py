"""Deadline rules: Working Together's defaults, on the working-day calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from core.working_days import WorkingCalendar
from referrals.deadlines import Rules, compute_deadlines

LONDON = ZoneInfo("Europe/London")
RULES = Rules(calendar=WorkingCalendar())


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_a_morning_referral_is_acknowledged_today_and_decided_by_tomorrow_evening():
    d = compute_deadlines(RULES, received_at=at("2026-11-25T10:00"), urgent=False)
    assert d.acknowledge_by == at("2026-11-25T17:00")
    assert d.decide_by == at("2026-11-26T17:00")
    assert d.senior_escalation_at == at("2026-11-26T11:00")


def test_a_friday_evening_referral_is_due_on_monday_and_decided_on_tuesday():
    d = compute_deadlines(RULES, received_at=at("2026-11-27T19:00"), urgent=False)
    assert d.acknowledge_by == at("2026-11-30T17:00")
    assert d.decide_by == at("2026-12-01T17:00")


def test_an_urgent_referral_is_due_within_the_hour():
    d = compute_deadlines(RULES, received_at=at("2026-11-25T10:20"), urgent=True)
    assert d.acknowledge_by == at("2026-11-25T11:20")
    assert d.decide_by == at("2026-11-25T14:20")


def test_an_urgent_referral_on_a_friday_night_does_not_wait_for_monday():
    d = compute_deadlines(RULES, received_at=at("2026-11-27T21:00"), urgent=True)
    assert d.acknowledge_by == at("2026-11-27T22:00")
    assert d.senior_escalation_at == at("2026-11-28T00:00")


def test_a_front_door_can_give_itself_longer_to_decide():
    rules = Rules(calendar=WorkingCalendar(), decide_within_working_days=3)
    d = compute_deadlines(rules, received_at=at("2026-11-25T10:00"), urgent=False)
    assert d.decide_by == at("2026-11-30T17:00")


moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(dt.UTC),
)


@given(moments, st.booleans())
def test_deadlines_come_in_order_after_receipt(received_at, urgent):
    d = compute_deadlines(RULES, received_at=received_at, urgent=urgent)
    assert received_at < d.acknowledge_by <= d.decide_by
    assert d.acknowledge_by < d.senior_escalation_at


@given(moments)
def test_a_standard_acknowledgement_is_due_at_close_of_a_working_day(received_at):
    d = compute_deadlines(RULES, received_at=received_at, urgent=False)
    local = d.acknowledge_by.astimezone(LONDON)
    assert local.time() == dt.time(17, 0)
    assert RULES.calendar.is_working_day(local.date())
