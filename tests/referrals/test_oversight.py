"""The sign-off rule: which decisions on which referrals need a manager, and
by when (referrals.oversight, referrals.deadlines.sign_off_due)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.working_days import WorkingCalendar
from referrals.deadlines import sign_off_due
from referrals.oversight import (
    RiskFacts,
    SignOffRules,
    first_birthday,
    high_risk_reasons,
    needs_sign_off,
)

TODAY = dt.date(2026, 11, 25)
NOTHING = RiskFacts(
    injured_baby=False,
    youngest_birth_date=dt.date(2019, 6, 14),
    pre_birth=False,
    re_referral=False,
    police_told=False,
    urgent=False,
)


def facts(**changes: object) -> RiskFacts:
    return RiskFacts(**{**NOTHING.__dict__, **changes})


def test_a_school_age_child_on_a_standard_referral_is_not_high_risk():
    assert high_risk_reasons(NOTHING, SignOffRules(), today=TODAY) == ()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"injured_baby": True}, "injury to a non-mobile baby"),
        ({"pre_birth": True}, "pre-birth"),
        ({"re_referral": True}, "a re-referral within 12 months"),
        ({"police_told": True}, "the police have been told"),
        ({"urgent": True}, "urgent"),
        ({"youngest_birth_date": dt.date(2026, 11, 4)}, "a child under one"),
    ],
)
def test_each_default_criterion_makes_a_referral_high_risk(change, reason):
    assert high_risk_reasons(facts(**change), SignOffRules(), today=TODAY) == (reason,)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"injured_baby": True}, "injured_baby"),
        ({"pre_birth": True}, "pre_birth"),
        ({"re_referral": True}, "re_referral"),
        ({"police_told": True}, "police_told"),
        ({"urgent": True}, "urgent"),
        ({"youngest_birth_date": dt.date(2026, 11, 4)}, "under_one"),
    ],
)
def test_a_front_door_can_leave_a_criterion_out(change, rule):
    rules = SignOffRules(**{rule: False})  # type: ignore[arg-type]
    assert high_risk_reasons(facts(**change), rules, today=TODAY) == ()


def test_a_child_is_under_one_until_the_day_of_their_first_birthday():
    born = dt.date(2025, 11, 25)
    rules = SignOffRules()
    assert high_risk_reasons(facts(youngest_birth_date=born), rules, today=TODAY) == ()
    day_before = TODAY - dt.timedelta(days=1)
    assert high_risk_reasons(facts(youngest_birth_date=born), rules, today=day_before) == (
        "a child under one",
    )


def test_a_leap_day_baby_turns_one_on_the_first_of_march():
    assert first_birthday(dt.date(2024, 2, 29)) == dt.date(2025, 3, 1)


@pytest.mark.parametrize("decision", ["nfa", "advice", "early_help"])
def test_closing_decisions_on_a_high_risk_referral_need_sign_off(decision):
    assert needs_sign_off(decision, ["urgent"])
    assert not needs_sign_off(decision, [])


@pytest.mark.parametrize("decision", ["assessment", "strategy_discussion", "open_case"])
def test_decisions_that_keep_the_child_in_view_do_not_need_sign_off(decision):
    assert not needs_sign_off(decision, ["urgent", "a child under one"])


CALENDAR = WorkingCalendar()


def due(at: dt.datetime, *, urgent: bool) -> dt.datetime:
    return sign_off_due(
        CALENDAR,
        proposed_at=at,
        urgent=urgent,
        within_working=dt.timedelta(hours=2),
        urgent_within=dt.timedelta(hours=1),
    )


def test_sign_off_is_due_two_working_hours_after_the_proposal():
    wednesday_10am = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    assert due(wednesday_10am, urgent=False) == dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_a_proposal_late_on_friday_is_due_on_monday_morning():
    friday_1630 = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC)
    assert due(friday_1630, urgent=False) == dt.datetime(2026, 11, 30, 10, 30, tzinfo=dt.UTC)


def test_an_urgent_proposal_is_due_one_hour_later_day_or_night():
    saturday_2am = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
    assert due(saturday_2am, urgent=True) == dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)
