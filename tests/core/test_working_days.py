"""The working-day calendar: weekends, bank holidays, office hours, cut-off."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
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


def test_a_referral_on_a_saturday_counts_as_received_on_monday():
    assert CAL.receipt_day(at("2026-11-28T10:00")) == dt.date(2026, 11, 30)
    assert CAL.next_working_day(dt.date(2026, 11, 28)) == dt.date(2026, 11, 30)


def test_a_referral_exactly_at_opening_or_closing_counts_by_the_cut_off():
    assert CAL.receipt_day(at("2026-11-25T09:00")) == dt.date(2026, 11, 25)
    assert CAL.receipt_day(at("2026-11-25T17:00")) == dt.date(2026, 11, 26)


def test_the_cut_off_is_in_local_time_in_summer_too():
    # 16:00 BST is 15:00 UTC: after the cut-off, whatever the clock in UTC says.
    assert CAL.receipt_day(at("2026-07-01T16:00")) == dt.date(2026, 7, 2)
    assert CAL.receipt_day(at("2026-07-01T15:59")) == dt.date(2026, 7, 1)


def test_the_days_either_side_of_a_bank_holiday_are_working_days():
    # Monday 31 August 2026 is the summer bank holiday.
    assert CAL.is_bank_holiday(dt.date(2026, 8, 31))
    assert not CAL.is_working_day(dt.date(2026, 8, 31))
    assert CAL.is_working_day(dt.date(2026, 8, 28)) and CAL.is_working_day(dt.date(2026, 9, 1))
    assert CAL.receipt_day(at("2026-08-28T16:00")) == dt.date(2026, 9, 1)
    assert CAL.receipt_day(at("2026-09-01T09:00")) == dt.date(2026, 9, 1)
    assert CAL.add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 1)


def test_scotland_keeps_its_own_bank_holidays():
    # St Andrew's Day (Monday 30 November 2026) is a holiday in Scotland only.
    assert not CAL.is_bank_holiday(dt.date(2026, 11, 30))
    assert WorkingCalendar(region="SCT").is_bank_holiday(dt.date(2026, 11, 30))


def test_adding_no_working_days_is_the_same_day_and_a_negative_count_is_refused():
    assert CAL.add_working_days(dt.date(2026, 11, 25), 0) == dt.date(2026, 11, 25)
    with pytest.raises(ValueError, match="^count must not be negative$"):
        CAL.add_working_days(dt.date(2026, 11, 25), -1)


def test_office_hours_are_from_opening_up_to_but_not_including_closing():
    assert not CAL.is_working_time(at("2026-11-25T08:59"))
    assert CAL.is_working_time(at("2026-11-25T09:00"))
    assert CAL.is_working_time(at("2026-11-25T16:59"))
    assert not CAL.is_working_time(at("2026-11-25T17:00"))
    assert not CAL.is_working_time(at("2026-11-28T10:00"))  # a Saturday
    assert not CAL.is_working_time(at("2026-08-31T10:00"))  # a bank holiday


def test_at_closing_time_the_next_working_moment_is_the_next_morning():
    assert CAL.next_working_moment(at("2026-11-25T17:00")) == at("2026-11-26T09:00")
    assert CAL.next_working_moment(at("2026-11-25T16:59")) == at("2026-11-25T16:59")
    assert CAL.next_working_moment(at("2026-11-25T08:00")) == at("2026-11-25T09:00")
    assert CAL.next_working_moment(at("2026-11-27T17:00")) == at("2026-11-30T09:00")


def test_working_time_in_summer_is_counted_and_given_in_british_summer_time():
    result = CAL.add_working_time(at("2026-07-01T16:30"), dt.timedelta(hours=1))
    assert result.isoformat() == "2026-07-02T09:30:00+01:00"


def test_working_time_ends_exactly_at_closing_when_it_fills_the_day():
    assert CAL.add_working_time(at("2026-11-25T09:00"), dt.timedelta(hours=8)) == at(
        "2026-11-25T17:00"
    )
    assert CAL.add_working_time(at("2026-11-25T17:00"), dt.timedelta(0)) == at("2026-11-25T17:00")


def test_working_time_between_counts_only_office_hours():
    assert CAL.working_time_between(at("2026-11-27T16:00"), at("2026-11-30T10:00")) == (
        dt.timedelta(hours=2)
    )
    assert CAL.working_time_between(at("2026-11-25T12:00"), at("2026-11-25T12:00")) == (
        dt.timedelta(0)
    )
    assert CAL.working_time_between(at("2026-11-25T13:00"), at("2026-11-25T12:00")) == (
        dt.timedelta(0)
    )


def test_negative_durations_and_naive_times_are_refused():
    with pytest.raises(ValueError, match="^duration must not be negative$"):
        CAL.add_working_time(at("2026-11-25T10:00"), dt.timedelta(minutes=-1))
    with pytest.raises(ValueError, match="^Deadlines need aware datetimes$"):
        CAL.receipt_day(dt.datetime(2026, 11, 25, 10, 0))


@pytest.mark.parametrize(
    ("opens", "closes", "cut_off", "problem"),
    [
        (dt.time(9), dt.time(9), dt.time(9), "^Office hours must open before they close$"),
        (dt.time(17), dt.time(9), dt.time(12), "^Office hours must open before they close$"),
        (dt.time(9), dt.time(17), dt.time(8, 59), "^The cut-off must fall within office hours$"),
        (dt.time(9), dt.time(17), dt.time(17, 1), "^The cut-off must fall within office hours$"),
    ],
)
def test_office_hours_that_make_no_sense_are_refused(opens, closes, cut_off, problem):
    with pytest.raises(ValueError, match=problem):
        WorkingCalendar(opens=opens, closes=closes, cut_off=cut_off)


def test_the_cut_off_may_be_the_opening_or_the_closing_time():
    at_opening = WorkingCalendar(cut_off=dt.time(9))
    assert at_opening.receipt_day(at("2026-11-25T09:00")) == dt.date(2026, 11, 26)
    at_closing = WorkingCalendar(cut_off=dt.time(17))
    assert at_closing.receipt_day(at("2026-11-25T16:59")) == dt.date(2026, 11, 25)


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
@example(dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC))  # exactly at the cut-off
@example(dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC))  # a Saturday
@example(dt.datetime(2026, 12, 24, 16, 0, tzinfo=dt.UTC))  # before Christmas
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
@example(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), dt.timedelta(hours=8))  # a whole day
@example(dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC), dt.timedelta(minutes=1))  # at closing
@example(dt.datetime(2026, 8, 28, 16, 30, tzinfo=LONDON), dt.timedelta(hours=1))  # bank holiday
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
