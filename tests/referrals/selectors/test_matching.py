"""Finding earlier history: tolerant of how people type names, never merging."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from referrals.selectors.matching import earlier_history, names_match
from referrals.services.triage import record_link
from tests.conftest import client_for, submit

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=10)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@given(names, names)
def test_a_name_matches_itself_in_any_case_and_the_other_way_round(first, last):
    assert names_match(first, last, first.upper(), last.title())
    assert names_match(first, last, last, first)


@given(names, names, st.integers(min_value=0, max_value=20), st.sampled_from(LETTERS))
def test_one_typo_in_the_last_name_still_matches(first, last, position, letter):
    position %= len(last)
    typo = last[:position] + letter + last[position + 1 :]
    assert names_match(first, last, first, typo)


@given(names, names, names)
def test_hyphens_and_spaces_in_double_barrelled_names_do_not_matter(first, one, two):
    assert names_match(first, f"{one}-{two}", first, f"{one} {two}")
    assert names_match(first, f"{one}-{two}", first, f"{one}{two}")


@given(names, names, names, names)
def test_different_people_do_not_match(first_a, last_a, first_b, last_b):
    assume(len({first_a[:3], first_b[:3]}) == 2 and len({last_a[:3], last_b[:3]}) == 2)
    assume(first_a[:3] != last_b[:3] and last_a[:3] != first_b[:3])
    assert not names_match(first_a, last_a, first_b, last_b)


EARLIER = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_an_earlier_referral_is_found_by_nhs_number(world):
    earlier = submit(world.gp, now=EARLIER, child={"first_name": "Leonard"})
    new = submit(world.hv)
    [match] = earlier_history(new)
    assert match.earlier == earlier
    assert match.reasons[0] == "Same NHS number (943 476 5919)"


def test_an_earlier_referral_is_found_by_a_misspelt_name_and_the_same_birthday(world):
    earlier = submit(world.gp, now=EARLIER, child={"last_name": "Marsch", "nhs_number": ""})
    new = submit(world.hv, child={"nhs_number": ""})
    [match] = earlier_history(new)
    assert match.earlier == earlier
    assert "Same date of birth and a similar name (Leo Marsch)" in match.reasons


def test_names_entered_the_other_way_round_are_found(world):
    submit(
        world.gp, now=EARLIER, child={"first_name": "Marsh", "last_name": "Leo", "nhs_number": ""}
    )
    new = submit(world.hv, child={"nhs_number": ""})
    assert len(earlier_history(new)) == 1


def test_the_same_address_finds_the_household(world):
    submit(
        world.gp,
        now=EARLIER,
        child={
            "first_name": "Ruby",
            "last_name": "Hollis",
            "nhs_number": "",
            "date_of_birth": "2021-01-05",
            "address": "14 Canal Row Northbridge",
        },
    )
    new = submit(world.hv, child={"nhs_number": ""})
    [match] = earlier_history(new)
    assert match.reasons == ["Same address (NB1 4QT)"]


def test_a_different_child_elsewhere_is_not_suggested(world):
    submit(
        world.gp,
        now=EARLIER,
        child={
            "first_name": "Ava",
            "last_name": "Patel",
            "nhs_number": "",
            "date_of_birth": "2018-02-02",
            "postcode": "NB9 9ZZ",
            "address": "1 High Street",
        },
    )
    new = submit(world.hv, child={"nhs_number": ""})
    assert earlier_history(new) == []


def test_another_front_doors_history_is_never_suggested(world):
    from agencies.models import Agency, Role
    from tests.conftest import make_user

    elsewhere = Agency.objects.create(
        name="Southport GP", kind="gp_practice", front_door=world.other_front_door
    )
    other_gp = make_user("gp.south", agency=elsewhere, role=Role.REFERRER)
    submit(other_gp, now=EARLIER)
    assert earlier_history(submit(world.hv)) == []


def test_a_worker_confirms_one_link_and_rejects_another_and_both_are_kept(world):
    same = submit(world.gp, now=EARLIER)
    different = submit(
        world.gp,
        now=EARLIER + dt.timedelta(days=1),
        child={"nhs_number": "", "first_name": "Ruby", "date_of_birth": "2021-01-05"},
    )
    new = submit(world.hv)
    assert {m.earlier for m in earlier_history(new)} == {same, different}
    record_link(
        referral=new, earlier=same, actor=world.mash, confirmed=True, reason="Same NHS number"
    )
    record_link(referral=new, earlier=different, actor=world.mash, confirmed=False)
    history = earlier_history(new)
    assert [(m.earlier, m.status) for m in history] == [(same, "confirmed")]
    event = new.events.last()
    assert event is not None
    assert event.summary.startswith("Maya Ashworth linked earlier referral")
    # Link, never merge: both referrals keep their own records.
    same.refresh_from_db()
    assert same.reference != new.reference and same.children.count() == 1


def test_the_referral_page_shows_history_to_the_front_door_only(world):
    earlier = submit(world.gp, now=EARLIER)
    new = submit(world.hv)
    front_door_page = client_for(world.mash).get(f"/referrals/{new.reference}/").content.decode()
    assert earlier.reference in front_door_page and "Same NHS number" in front_door_page
    referrer_page = client_for(world.hv).get(f"/referrals/{new.reference}/").content.decode()
    assert earlier.reference not in referrer_page


@pytest.mark.parametrize("persona", ["hv", "outsider"])
def test_only_front_door_staff_can_link(world, persona):
    from django.core.exceptions import PermissionDenied

    earlier = submit(world.gp, now=EARLIER)
    new = submit(world.hv)
    with pytest.raises(PermissionDenied):
        record_link(referral=new, earlier=earlier, actor=getattr(world, persona), confirmed=True)
