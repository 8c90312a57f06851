"""Deadline rules: Working Together's defaults, on the working-day calendar."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.working_days import WorkingCalendar
from referrals.deadlines import (
    Rules,
    challenge_deadlines,
    compute_deadlines,
    rules_from_policy,
    working_days_from,
)
from referrals.models import DeadlinePolicy

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


@pytest.mark.parametrize(
    ("received", "acknowledge_by", "decide_by"),
    [
        ("2026-11-25T09:00", "2026-11-25T10:00", "2026-11-25T13:00"),  # at opening
        ("2026-11-25T17:00", "2026-11-25T18:00", "2026-11-25T21:00"),  # at closing
        ("2026-11-28T11:30", "2026-11-28T12:30", "2026-11-28T15:30"),  # a Saturday
        ("2026-12-25T08:00", "2026-12-25T09:00", "2026-12-25T12:00"),  # Christmas Day
    ],
)
def test_an_urgent_referral_runs_on_the_clock_at_any_hour_of_any_day(
    received, acknowledge_by, decide_by
):
    d = compute_deadlines(RULES, received_at=at(received), urgent=True)
    assert (d.acknowledge_by, d.decide_by) == (at(acknowledge_by), at(decide_by))
    assert d.senior_escalation_at == at(acknowledge_by) + dt.timedelta(hours=2)
    assert d.decision_senior_at == at(decide_by) + dt.timedelta(hours=2)


def test_an_urgent_decision_goes_to_senior_managers_after_its_deadline_not_before():
    d = compute_deadlines(RULES, received_at=at("2026-11-25T10:20"), urgent=True)
    assert d.decision_senior_at == at("2026-11-25T16:20")
    assert d.decision_senior_at > d.decide_by


def test_an_urgent_decision_is_never_due_before_the_acknowledgement():
    rules = Rules(
        calendar=WorkingCalendar(),
        urgent_acknowledge_within=dt.timedelta(hours=3),
        urgent_decide_within=dt.timedelta(hours=2),
    )
    d = compute_deadlines(rules, received_at=at("2026-11-25T10:00"), urgent=True)
    assert d.acknowledge_by == d.decide_by == at("2026-11-25T13:00")


@pytest.mark.parametrize(
    ("received", "acknowledge_by", "senior", "decide_by", "decision_senior"),
    [
        # Exactly at opening: today; exactly at the cut-off or closing: tomorrow.
        ("2026-11-25T09:00", "2026-11-25T17:00", "26T11:00", "26T17:00", "27T11:00"),
        ("2026-11-25T15:59", "2026-11-25T17:00", "26T11:00", "26T17:00", "27T11:00"),
        ("2026-11-25T16:00", "2026-11-26T17:00", "27T11:00", "27T17:00", "30T11:00"),
        ("2026-11-25T17:00", "2026-11-26T17:00", "27T11:00", "27T17:00", "30T11:00"),
        # Friday before the summer bank holiday, and the Tuesday after it.
        ("2026-08-28T16:30", "2026-09-01T17:00", "02T11:00", "02T17:00", "03T11:00"),
        ("2026-09-01T08:00", "2026-09-01T17:00", "02T11:00", "02T17:00", "03T11:00"),
    ],
)
def test_standard_deadlines_at_the_edges_of_the_working_day(
    received, acknowledge_by, senior, decide_by, decision_senior
):
    month = acknowledge_by[:8]
    d = compute_deadlines(RULES, received_at=at(received), urgent=False)
    assert (d.acknowledge_by, d.senior_escalation_at, d.decide_by, d.decision_senior_at) == (
        at(acknowledge_by),
        at(month + senior),
        at(month + decide_by),
        at(month + decision_senior),
    )


def test_a_decision_is_never_due_before_the_acknowledgement():
    rules = Rules(
        calendar=WorkingCalendar(), acknowledge_within_working_days=2, decide_within_working_days=1
    )
    d = compute_deadlines(rules, received_at=at("2026-11-25T10:00"), urgent=False)
    assert d.acknowledge_by == d.decide_by == at("2026-11-27T17:00")


@pytest.fixture
def server_in_tokyo(monkeypatch):
    """The server's own time zone is not London (nor UTC)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_deadlines_are_given_in_utc_whatever_the_servers_time_zone(server_in_tokyo):
    for urgent in (False, True):
        d = compute_deadlines(RULES, received_at=at("2026-07-01T10:00"), urgent=urgent)
        for moment in (d.acknowledge_by, d.decide_by, d.senior_escalation_at, d.decision_senior_at):
            assert moment.utcoffset() == dt.timedelta(0)
    due = working_days_from(RULES, at("2026-07-01T10:00"), 1)
    assert due.isoformat() == "2026-07-02T16:00:00+00:00"
    # Raised on Monday 29 June: step one by 17:00 BST Wednesday (already
    # Thursday in Tokyo), step two by 17:00 BST Friday.
    step_one, step_two = challenge_deadlines(RULES, raised_at=at("2026-06-29T10:00"))
    assert step_one.isoformat() == "2026-07-01T16:00:00+00:00"
    assert step_two.isoformat() == "2026-07-03T16:00:00+00:00"


def test_a_challenge_has_two_working_days_for_each_step():
    # Raised on Thursday 27 August 2026, before the summer bank holiday.
    step_one, step_two = challenge_deadlines(RULES, raised_at=at("2026-08-27T10:00"))
    assert step_one == at("2026-08-28T17:00") + dt.timedelta(days=4)  # Tuesday 1 September
    assert step_two == at("2026-09-03T17:00")


def test_a_request_for_information_after_the_cut_off_is_due_from_the_next_working_day():
    assert working_days_from(RULES, at("2026-11-27T16:30"), 1) == at("2026-12-01T17:00")
    assert working_days_from(RULES, at("2026-11-27T15:30"), 0) == at("2026-11-27T17:00")


def test_a_front_doors_rules_are_read_from_its_own_policy(world):
    policy = DeadlinePolicy.objects.get(front_door=world.front_door)
    policy.office_opens = dt.time(8, 30)
    policy.office_closes = dt.time(18, 0)
    policy.cut_off = dt.time(17, 0)
    policy.bank_holiday_region = "SCT"
    policy.acknowledge_within_working_days = 1
    policy.decide_within_working_days = 3
    policy.urgent_acknowledge_within_minutes = 30
    policy.urgent_decide_within_minutes = 180
    policy.senior_escalation_after_minutes = 90
    policy.strategy_discussion_within_hours = 12
    policy.pre_birth_urgent_within_weeks = 10
    policy.information_request_within_working_days = 2
    policy.challenge_step_within_working_days = 5
    policy.urgent_information_request_within_hours = 2
    policy.save()
    assert rules_from_policy(policy) == Rules(
        calendar=WorkingCalendar(
            opens=dt.time(8, 30), closes=dt.time(18, 0), cut_off=dt.time(17, 0), region="SCT"
        ),
        acknowledge_within_working_days=1,
        decide_within_working_days=3,
        urgent_acknowledge_within=dt.timedelta(minutes=30),
        urgent_decide_within=dt.timedelta(minutes=180),
        senior_escalation_after=dt.timedelta(minutes=90),
        strategy_discussion_within_hours=12,
        pre_birth_urgent_within_weeks=10,
        information_request_within_working_days=2,
        challenge_step_within_working_days=5,
        urgent_information_request_within=dt.timedelta(hours=2),
    )


def test_a_front_door_without_a_policy_gets_the_defaults():
    assert rules_from_policy(None) == Rules(calendar=WorkingCalendar())


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
@example(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), True)  # urgent, at opening
@example(dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC), True)  # urgent, at closing
@example(dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC), True)  # urgent, on a Saturday
@example(dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC), False)  # exactly at the cut-off
@example(dt.datetime(2026, 12, 24, 16, 0, tzinfo=dt.UTC), False)  # before Christmas
def test_deadlines_come_in_order_after_receipt(received_at, urgent):
    d = compute_deadlines(RULES, received_at=received_at, urgent=urgent)
    assert received_at < d.acknowledge_by <= d.decide_by
    assert d.acknowledge_by < d.senior_escalation_at
    assert d.decide_by < d.decision_senior_at
    if urgent:
        assert d.senior_escalation_at == d.acknowledge_by + RULES.senior_escalation_after
        assert d.decision_senior_at == d.decide_by + RULES.senior_escalation_after


@given(moments)
def test_a_standard_acknowledgement_is_due_at_close_of_a_working_day(received_at):
    d = compute_deadlines(RULES, received_at=received_at, urgent=False)
    local = d.acknowledge_by.astimezone(LONDON)
    assert local.time() == dt.time(17, 0)
    assert RULES.calendar.is_working_day(local.date())


def test_a_question_on_an_urgent_referral_is_due_in_hours_day_or_night():
    from referrals.deadlines import information_request_due

    rules = Rules(calendar=WorkingCalendar())
    saturday_night = dt.datetime(2026, 11, 28, 23, 0, tzinfo=dt.UTC)
    assert information_request_due(rules, asked_at=saturday_night, urgent=True) == (
        saturday_night + dt.timedelta(hours=4)
    )
    # The same question on a standard referral waits for the working day.
    standard = information_request_due(rules, asked_at=saturday_night, urgent=False)
    assert standard > saturday_night + dt.timedelta(days=1)
