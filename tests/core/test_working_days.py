"""The working-day calendar: weekends, bank holidays, office hours, cut-off."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.working_days import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(dt.UTC),
)
durations = st.integers(min_value=0, max_value=60 * 8 * 15).map(lambda m: dt.timedelta(minutes=m))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_england_has_nine_bank_holidays_in_2026_including_the_substitute_boxing_day():
    days = [dt.date(2026, 1, 1) + dt.timedelta(n) for n in range(365)]
    holidays = [d for d in days if CAL.is_bank_holiday(d)]
    assert len(holidays) == 9
    assert dt.date(2026, 12, 28) in holidays  # Boxing Day falls on a Saturday


def test_a_referral_on_a_friday_evening_counts_as_received_on_monday():
    assert CAL.receipt_day(at("2026-11-27T18:30")) == dt.date(2026, 11, 30)


def test_a_referral_before_the_cut_off_counts_as_received_that_day():
    assert CAL.receipt_day(at("2026-11-25T15:59")) == dt.date(2026, 11, 25)
    assert CAL.receipt_day(at("2026-11-25T07:10")) == dt.date(2026, 11, 25)


def test_a_referral_after_the_cut_off_rolls_to_the_next_working_day():
    assert CAL.receipt_day(at("2026-11-25T16:00")) == dt.date(2026, 11, 26)


def test_christmas_eve_after_the_cut_off_rolls_past_christmas_and_boxing_day():
    # 25 Dec (Fri) and the substitute 28 Dec (Mon) are bank holidays.
    assert CAL.receipt_day(at("2026-12-24T16:30")) == dt.date(2026, 12, 29)


def test_working_time_skips_the_night_and_the_weekend():
    assert CAL.add_working_time(at("2026-11-27T16:30"), dt.timedelta(hours=2)) == at(
        "2026-11-30T10:30"
    )


def test_working_time_from_before_opening_starts_at_opening():
    assert CAL.add_working_time(at("2026-11-25T06:00"), dt.timedelta(hours=1)) == at(
        "2026-11-25T10:00"
    )


def test_working_time_across_the_clocks_going_back_is_still_office_hours():
    # Clocks go back on Sunday 25 October 2026.
    result = CAL.add_working_time(at("2026-10-23T16:00"), dt.timedelta(hours=2))
    assert result == at("2026-10-26T10:00")
    assert result.utcoffset() == dt.timedelta(0)


@given(moments)
def test_the_receipt_day_is_a_working_day_no_earlier_than_the_day_received(moment):
    day = CAL.receipt_day(moment)
    assert CAL.is_working_day(day)
    assert day >= moment.astimezone(LONDON).date()
    assert (day - moment.astimezone(LONDON).date()).days <= 6


@given(moments, moments)
def test_a_later_arrival_never_gets_an_earlier_receipt_day(a, b):
    first, second = sorted([a, b])
    assert CAL.receipt_day(first) <= CAL.receipt_day(second)


@given(moments, durations)
def test_adding_working_time_lands_in_office_hours_on_a_working_day(moment, duration):
    result = CAL.add_working_time(moment, duration)
    assert result >= moment
    if duration:
        local = result.astimezone(LONDON)
        assert CAL.is_working_day(local.date())
        assert CAL.opens < local.time() <= CAL.closes


@given(moments, durations, durations)
@settings(max_examples=200)
def test_adding_working_time_in_two_steps_equals_adding_it_in_one(moment, first, second):
    in_two = CAL.add_working_time(CAL.add_working_time(moment, first), second)
    assert in_two == CAL.add_working_time(moment, first + second)


@given(moments, durations)
def test_working_time_between_undoes_adding_it(moment, duration):
    start = CAL.next_working_moment(moment)
    assert CAL.working_time_between(start, CAL.add_working_time(start, duration)) == duration
