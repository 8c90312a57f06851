"""The GOV.UK day/month/year date field, as people type dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.forms import GovukDateField

FIELD = GovukDateField(
    noun="the child's date of birth", must_be_past=True, earliest=dt.date(2000, 1, 1)
)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 1, 1)))
def test_any_real_past_date_typed_in_parts_is_accepted(day):
    typed = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
    assert FIELD.clean(typed) == day
    assert FIELD.clean(day.isoformat()) == day


@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=29, max_value=40),
    st.integers(2001, 2025),
)
def test_days_that_do_not_exist_in_the_month_are_refused(month, day, year):
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValidationError, match="must be a real date"):
            FIELD.clean({"day": str(day), "month": str(month), "year": str(year)})


@given(st.text(alphabet="abcxyz-/. ", min_size=1, max_size=4))
def test_letters_typed_into_a_date_are_refused_with_a_plain_message(junk):
    if not junk.strip():
        return
    with pytest.raises(ValidationError, match="must be a real date"):
        FIELD.clean({"day": junk, "month": "3", "year": "2020"})


def test_a_two_digit_year_is_refused():
    with pytest.raises(ValidationError, match="Year must include 4 numbers"):
        FIELD.clean({"day": "1", "month": "3", "year": "20"})


def test_an_empty_optional_date_is_none_and_a_required_one_asks_for_it():
    optional = GovukDateField(noun="the date", required=False)
    assert optional.clean({"day": "", "month": "", "year": ""}) is None
    required = GovukDateField(noun="the date")
    with pytest.raises(ValidationError, match="Enter the date"):
        required.clean({"day": "", "month": "", "year": ""})
