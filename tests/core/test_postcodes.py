"""Postcodes, sectors and districts as front doors' coverage reads them."""

from __future__ import annotations

import pytest

from core.postcodes import coverage_keys, normalise_coverage, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("nb14qt", "NB1 4QT"), (" NB1  4QT ", "NB1 4QT"), ("sw1a2aa", "SW1A 2AA"), ("NB1", None)],
)
def test_a_postcode_is_stored_in_capitals_with_one_space(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nb1", "NB1"),
        ("NB1  4", "NB1 4"),
        ("nb1 4qt", "NB1 4QT"),
        ("SW1A", "SW1A"),
        ("NB1 4Q", None),
        ("1NB", None),
        ("", None),
        ("No fixed abode", None),
    ],
)
def test_coverage_is_a_district_a_sector_or_a_full_postcode(typed, stored):
    assert normalise_coverage(typed) == stored


def test_a_postcode_is_covered_by_itself_then_its_sector_then_its_district():
    assert coverage_keys("nb1 4qt") == ["NB1 4QT", "NB1 4", "NB1"]
    assert coverage_keys("SW1A 2AA") == ["SW1A 2AA", "SW1A 2", "SW1A"]


def test_something_that_is_not_a_postcode_is_covered_by_nothing():
    assert coverage_keys("") == []
    assert coverage_keys("No fixed abode") == []
