"""Searching the front door's people: tolerant of how names are typed,
grouped by person, and only ever the searcher's own front door."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies.models import Agency, AgencyKind, Role
from referrals.selectors.matching import name_fits_search
from referrals.selectors.search import (
    PersonQuery,
    address_fits_search,
    search_people,
)
from tests.conftest import WEDNESDAY_10AM, decided, make_user, submit

LATER = WEDNESDAY_10AM + dt.timedelta(days=30)


def names_found(world, user=None, **query):
    result = search_people(user or world.mash, PersonQuery(**query))
    return [(p.name, [a.referral.reference for a in p.appearances]) for p in result.people]


def test_a_decided_referral_is_found_again_by_the_childs_name(world):
    referral = decided(world)
    assert names_found(world, name="Leo Marsh") == [("Leo Marsh", [referral.reference])]


@pytest.mark.parametrize(
    "typed",
    ["leo marsh", "Marsh Leo", "Leo Mrash", "Léo Marsh", "Marsh", "LEO"],
)
def test_the_childs_name_is_found_however_it_is_typed(world, typed):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    assert ("Leo Marsh", [referral.reference]) in names_found(world, name=typed)


def test_a_nickname_finds_the_formal_name_and_the_other_way_round(world):
    bill = submit(world.hv, now=WEDNESDAY_10AM, child={"first_name": "William"})
    assert names_found(world, name="Bill Marsh")[0][1] == [bill.reference]
    sam = names_found(world, name="Samuel Marsh")
    assert ("Sam Marsh", [bill.reference]) in sam  # the father, recorded as Sam


def test_a_name_in_another_script_is_found_in_latin_letters(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM, child={"first_name": "Мария"})
    assert names_found(world, name="Mariya Marsh")[0][1] == [referral.reference]


def test_a_hyphenated_surname_is_found_with_a_space_or_run_together(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM, child={"last_name": "Smith-Jones"})
    for typed in ["Leo Smith Jones", "Leo Smithjones", "Leo Jones"]:
        assert names_found(world, name=typed)[0][1] == [referral.reference], typed


def test_a_different_name_is_not_found(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, name="Olivia Hollis") == []


def test_parents_are_found_with_the_part_they_played(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    result = search_people(world.mash, PersonQuery(name="Kirsty Marsh"))
    assert [(p.name, p.roles) for p in result.people] == [("Kirsty Marsh", ["Mother"])]
    assert result.people[0].appearances[0].referral == referral


def test_the_date_of_birth_alone_finds_the_child(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, date_of_birth=dt.date(2019, 6, 14)) == [
        ("Leo Marsh", [referral.reference])
    ]
    assert names_found(world, date_of_birth=dt.date(2019, 6, 15)) == []


def test_the_nhs_number_finds_the_child_and_only_that_child(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, nhs_number="943 476 5919")[0][1] == [referral.reference]
    assert names_found(world, nhs_number="401 023 2137") == []


def test_a_postcode_or_its_first_half_finds_the_household(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, postcode="NB1 4QT")[0][1] == [referral.reference]
    assert names_found(world, postcode="NB1")[0][1] == [referral.reference]
    assert names_found(world, postcode="NB14") == []  # "NB14 ..." is another area
    assert names_found(world, postcode="NB1 4QU") == []


def test_part_of_an_address_finds_the_household_allowing_a_typo(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    found = names_found(world, address="14 Cannal Row")
    assert ("Leo Marsh", [referral.reference]) in found
    assert names_found(world, address="15 Canal Row") == []


def test_every_field_given_must_fit(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, name="Leo Marsh", date_of_birth=dt.date(2019, 6, 15)) == []
    assert names_found(world, name="Leo Marsh", date_of_birth=dt.date(2019, 6, 14))


def test_referrals_about_one_child_are_grouped_newest_first(world):
    first = decided(world)
    second = submit(world.gp, now=LATER, child={"first_name": "Leo", "last_name": "Marsh"})
    assert names_found(world, name="Leo Marsh") == [
        ("Leo Marsh", [second.reference, first.reference])
    ]


def test_the_same_name_with_another_date_of_birth_is_another_person(world):
    first = submit(world.hv, now=WEDNESDAY_10AM)
    second = submit(
        world.gp,
        now=LATER,
        child={"date_of_birth": "2020-01-02", "nhs_number": ""},
    )
    assert names_found(world, name="Leo Marsh") == [
        ("Leo Marsh", [second.reference]),
        ("Leo Marsh", [first.reference]),
    ]


def test_a_misspelt_name_with_the_same_date_of_birth_is_grouped_as_one_person(world):
    first = submit(world.hv, now=WEDNESDAY_10AM, child={"nhs_number": ""})
    second = submit(world.gp, now=LATER, child={"first_name": "Loe", "nhs_number": ""})
    result = search_people(world.mash, PersonQuery(date_of_birth=dt.date(2019, 6, 14)))
    assert len(result.people) == 1
    assert [a.referral for a in result.people[0].appearances] == [second, first]
    assert result.people[0].other_names == ["Leo Marsh"]


def test_consultations_are_found_too(world):
    consultation = submit(world.hv, now=WEDNESDAY_10AM, kind="consultation")
    assert names_found(world, name="Leo Marsh")[0][1] == [consultation.reference]


def test_another_front_doors_families_are_never_found(world):
    southport_school = Agency.objects.create(
        name="Southport School", kind=AgencyKind.SCHOOL, front_door=world.other_front_door
    )
    teacher = make_user("teacher.south", agency=southport_school, role=Role.REFERRER)
    theirs = submit(teacher, now=WEDNESDAY_10AM)
    ours = submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, name="Leo Marsh")[0][1] == [ours.reference]
    assert names_found(world, user=world.outsider, name="Leo Marsh")[0][1] == [theirs.reference]


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a"])
def test_people_outside_the_front_door_find_nobody_even_in_their_own_referrals(world, persona):
    submit(world.hv, now=WEDNESDAY_10AM)
    assert names_found(world, user=getattr(world, persona), name="Leo Marsh") == []


def test_an_empty_search_finds_nobody(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    assert search_people(world.mash, PersonQuery()).people == []


# --- the rules on their own ---

LETTERS = "abcdefghijklmnopqrstuvwxyz"
words = st.text(alphabet=LETTERS, min_size=4, max_size=10)


@settings(max_examples=200)
@given(words, words, st.integers(min_value=0, max_value=20), st.sampled_from(LETTERS))
def test_one_typo_anywhere_in_a_searched_name_still_finds_it(first, last, position, letter):
    position %= len(first)
    typo = first[:position] + letter + first[position + 1 :]
    assert name_fits_search(f"{typo} {last}", first, last)
    assert name_fits_search(f"{last} {typo}", first, last)


@given(words, words)
def test_a_searched_name_with_a_word_the_record_lacks_is_not_found(first, last):
    assert not name_fits_search(f"{first} {last} zzzzqq", first, last)


def test_numbers_in_an_address_must_be_exact():
    assert address_fits_search("14 canal", "14 Canal Row, Northbridge NB1 4QT")
    assert not address_fits_search("41 canal", "14 Canal Row, Northbridge NB1 4QT")
    assert address_fits_search("nb1 4qt", "14 Canal Row, Northbridge NB1 4QT")


def appearance(first, last, born, nhs=""):
    from referrals.selectors.search import Appearance

    return Appearance(
        referral=None,  # type: ignore[arg-type]
        role="Child",
        first_name=first,
        last_name=last,
        date_of_birth=born,
        nhs_number=nhs,
        address="14 Canal Row",
    )


births = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 11, 30))


@given(
    words, words, births, births, st.integers(min_value=0, max_value=20), st.sampled_from(LETTERS)
)
def test_search_never_groups_two_dates_of_birth_as_one_person(
    first, last, born_a, born_b, position, letter
):
    from referrals.selectors.search import PersonResult

    position %= len(last)
    typo = last[:position] + letter + last[position + 1 :]
    group = PersonResult(appearances=[appearance(first, last, born_a)])
    assert group.takes(appearance(first, typo, born_a))
    assert group.takes(appearance(typo, first, born_a))  # the other way round
    if born_a != born_b:
        assert not group.takes(appearance(first, last, born_b))


@given(words, words, births)
def test_search_never_groups_two_nhs_numbers_as_one_person(first, last, born):
    from referrals.selectors.search import PersonResult

    group = PersonResult(appearances=[appearance(first, last, born, nhs="943 476 5919")])
    assert not group.takes(appearance(first, last, born, nhs="401 023 2137"))
    assert group.takes(appearance("Someone", "Else", None, nhs="943 476 5919"))


@pytest.mark.parametrize(
    ("recorded", "typed"),
    [
        (("Muhammad", "Khan"), "Mohammed Khan"),
        (("Mohamed", "Ali"), "Muhammad Ali"),
        (("Aleksandr", "Petrov"), "Alexandr Petrov"),
        (("Александр", "Петров"), "Aleksandr Petrov"),
        (("Siobhán", "O’Neil"), "siobhan oneil"),
        (("Zoë", "Smith-Jones"), "Zoe Jones Smith"),
        (("Katherine", "Hollis"), "Kate Hollis"),
    ],
)
def test_transliterations_and_spellings_of_a_name_are_found(recorded, typed):
    assert name_fits_search(typed, *recorded)


def test_thousands_of_records_group_quickly_and_only_the_first_fifty_people_are_shown():
    import time

    from referrals.selectors.search import MAX_PEOPLE, _grouped

    many = [
        appearance("Olivia", "Smith", dt.date(2010, 1, 1) + dt.timedelta(days=i % 400))
        for i in range(4000)
    ]
    started = time.perf_counter()
    result = _grouped(many)
    assert time.perf_counter() - started < 2
    assert len(result.people) == MAX_PEOPLE and result.more
    # Every record of a person shown is with them, though found after the fiftieth person.
    assert all(len(p.appearances) == 10 for p in result.people)
