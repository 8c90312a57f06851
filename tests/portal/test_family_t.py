"""Family T, as the front door sees it: the twins' referral shows the
pre-birth referral and both parents' own referrals as children; a search
for the mother by name and date of birth finds everything."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.family_t import seed_family_t
from referrals.selectors.matching import related_history
from referrals.selectors.search import PersonQuery, search_people
from tests.conftest import client_for


@pytest.fixture
def family(world):
    return seed_family_t(school=world.gp, midwife=world.hv, hospital=world.gp, decider=world.mash)


def test_the_twins_referral_shows_the_pre_birth_referral_and_both_parents_as_children(family):
    history = {m.other: m for m in related_history(family.twins)}
    assert set(history) == {family.pre_birth, family.mother_as_child, family.father_as_child}
    pre_birth = " ".join(history[family.pre_birth].reasons)
    assert "Ava Reynolds" in pre_birth and "may be the unborn baby" in pre_birth
    assert "Isla Reynolds" in pre_birth and "the same mother, Tia Reynolds" in pre_birth
    assert history[family.mother_as_child].reasons == [
        "Tia Reynolds (mother here) is in it as a child: a similar name and the same date of birth"
    ]
    assert history[family.father_as_child].reasons == [
        "Jordan Blake (father here) is in it as a child: a similar name and the same date of birth"
    ]


def test_the_mothers_childhood_referral_shows_the_later_ones(family):
    later = {m.other for m in related_history(family.mother_as_child) if m.later}
    assert later == {family.pre_birth, family.twins}


def test_searching_the_mothers_name_and_date_of_birth_finds_everything(world, family):
    result = search_people(
        world.mash, PersonQuery(name="Tia Reynolds", date_of_birth=dt.date(2006, 3, 9))
    )
    [tia] = result.people
    assert [a.referral for a in tia.appearances] == [
        family.twins,
        family.pre_birth,
        family.mother_as_child,
    ]
    assert tia.roles == ["Mother", "Child"]


def test_the_front_door_sees_the_mothers_care_history_at_the_top(world, family):
    html = client_for(world.mash).get(f"/referrals/{family.pre_birth.reference}/").content.decode()
    assert "Tia Reynolds (mother): care history" in html
    assert "Jordan Blake (father): custody or prison" in html
