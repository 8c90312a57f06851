from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from referrals.references import ALPHABET, format_reference, new_reference, normalise_reference

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
