from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from referrals.references import (
    ALPHABET,
    check_symbol,
    format_reference,
    new_reference,
    normalise_reference,
)

bodies = st.text(alphabet=ALPHABET, min_size=7, max_size=7)


def test_a_new_reference_reads_in_groups_of_four_of_letters_and_digits():
    for _ in range(200):
        reference = new_reference()
        assert reference.startswith("FD-") and len(reference) == 12
        assert reference[7] == "-"
        assert set(reference[3:].replace("-", "")) <= set(ALPHABET)


@given(bodies)
def test_a_reference_survives_being_typed_in_lower_case_without_dashes(body):
    reference = format_reference(body)
    typed = reference.replace("-", " ").lower()
    assert normalise_reference(typed) == reference


def test_letters_o_and_i_typed_for_zero_and_one_are_understood():
    reference = format_reference("10A0B1C")
    assert normalise_reference(reference.replace("0", "O").replace("1", "I")) == reference


@given(bodies, st.integers(min_value=0, max_value=6), st.sampled_from(ALPHABET))
def test_one_mistyped_symbol_is_caught_by_the_check_character(body, position, symbol):
    if body[position] == symbol:
        return
    wrong = body[:position] + symbol + body[position + 1 :]
    mistyped = "FD" + wrong + format_reference(body)[-1]
    assert normalise_reference(mistyped) is None


@given(bodies, st.integers(min_value=0, max_value=5))
def test_two_swapped_neighbours_are_caught_by_the_check_character(body, position):
    if body[position] == body[position + 1]:
        return
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
    assert normalise_reference("FD" + swapped + format_reference(body)[-1]) is None


def test_nonsense_is_not_a_reference():
    assert normalise_reference("../../etc/passwd") is None
    assert normalise_reference("") is None
    assert normalise_reference("FD-1234") is None


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("0000000", "0"),
        ("0000001", "1"),
        ("1234567", "B"),
        ("ZZZZZZZ", "J"),
        ("4K7Q2M5", "X"),
        ("10A0B1C", "Z"),
        # Crockford's extra check symbols, for the values 32 to 36.
        ("0000010", "*"),
        ("0000011", "~"),
        ("0000012", "$"),
        ("0000013", "="),
        ("0000014", "U"),
    ],
)
def test_the_check_character_of_known_bodies_never_changes(body, check):
    """Every receipt already printed relies on it."""
    assert check_symbol(body) == check


@pytest.mark.parametrize(
    "reference", ["FD-4K7Q-2M5X", "FD-TKJE-ZT07", "FD-24EQ-MA0T", "FD-DD9E-1A20"]
)
def test_references_already_issued_are_still_recognised(reference):
    assert normalise_reference(reference) == reference
    assert normalise_reference(reference.lower().replace("-", " ")) == reference


def test_the_example_references_shown_to_people_are_real_ones():
    root = Path(settings.BASE_DIR)
    shown = (root / "README.md").read_text() + (root / "templates" / "404.html").read_text()
    examples = set(re.findall(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}", shown)) - {"FD-XXXX-XXXC"}
    assert "FD-4K7Q-2M5X" in examples
    assert all(normalise_reference(example) == example for example in examples)


def test_a_check_character_typed_as_the_letter_o_or_i_is_understood():
    assert normalise_reference("FD-0000-0000".replace("0", "O")) == "FD-0000-0000"
    assert normalise_reference("fd-0000-001i") == "FD-0000-0011"
    assert normalise_reference("FD 0000 001L") == "FD-0000-0011"


def test_a_reference_whose_check_is_one_of_crockfords_extra_symbols_is_understood():
    # Not issued any more, but a check symbol all the same.
    assert normalise_reference("fd-0000-014u") == "FD-0000-014U"
    assert normalise_reference("FD-0000-010*") == "FD-0000-010*"
    assert normalise_reference("FD 0000 013=") == "FD-0000-013="
    assert normalise_reference("FD-0000-0140") is None


def test_only_bodies_with_a_letter_or_digit_check_are_issued(monkeypatch):
    from referrals import references

    # The first body drawn has the check "*", the second a plain one.
    symbols = iter("0000010" + "1234567")
    monkeypatch.setattr(references.secrets, "choice", lambda alphabet: next(symbols))
    assert new_reference() == "FD-1234-567B"
