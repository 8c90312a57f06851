"""Finding earlier history: tolerant of how people type names, never merging."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import assume, example, given
from hypothesis import strategies as st

from referrals.selectors import matching
from referrals.selectors.matching import (
    addresses_match,
    earlier_history,
    names_match,
    normalise_name,
    related_history,
)
from referrals.services.triage import record_link
from tests.conftest import a_document, client_for, submit

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
@example("leo", "marsh", "leo", "hollis")  # the same first name, another family
@example("taylor", "jordan", "jordan", "reid")  # one child's surname, another's first name
def test_different_people_do_not_match(first_a, last_a, first_b, last_b):
    assume(len({first_a[:3], first_b[:3]}) == 2 and len({last_a[:3], last_b[:3]}) == 2)
    assume(first_a[:3] != last_b[:3] and last_a[:3] != first_b[:3])
    assert not names_match(first_a, last_a, first_b, last_b)


def test_names_are_compared_without_accents_case_hyphens_apostrophes_or_full_stops():
    assert normalise_name("  Siobhán  O'Neil-Smith. ") == "siobhan o neil smith"
    assert normalise_name("Zoë-Jo D'Arcy") == "zoe jo d arcy"


def test_a_curly_apostrophe_separates_a_name_as_a_straight_one_does():
    # Names pasted from a letter or a phone often have the typographic one.
    assert normalise_name("O’Neil") == normalise_name("O'Neil") == "o neil"


@pytest.mark.parametrize(
    ("typed_once", "typed_again"),
    [
        (("Zoë", "Marsh"), ("Zoe", "Marsh")),
        (("José", "Marsh"), ("Jose", "Marsh")),
        (("Siobhán", "Ní Bhriain"), ("SIOBHAN", "Ni Bhriain")),
        (("Siobhán", "O'Neil"), ("Siobhan", "ONeil")),
        (("Conor", "O’Neil"), ("Conor", "O Neil")),
        (("Amy", "Smith-Jones"), ("Amy", "Jones Smith")),
        (("Leo", "da Silva dos Santos"), ("Leo", "Dasilvadossantos")),
    ],
)
def test_accents_apostrophes_hyphens_and_spaces_in_names_do_not_hide_a_child(
    typed_once, typed_again
):
    assert names_match(*typed_once, *typed_again)
    assert names_match(*typed_again, *typed_once)


def test_a_seven_letter_name_may_have_two_typos_but_not_three():
    assert names_match("Jessica", "Lee", "Jesicca", "Lee")
    assert not names_match("Matthew", "Lee", "Mathieu", "Lee")


def test_a_name_of_six_letters_or_fewer_may_have_only_one_typo():
    assert names_match("Olivia", "Marsh", "Olivio", "Marsh")
    assert not names_match("Oliver", "Marsh", "Olivia", "Marsh")


def test_names_entered_the_other_way_round_still_match_with_a_typo_in_each():
    assert names_match("Leo", "Marsh", "Marhs", "Lio")


def test_a_long_name_matches_on_its_overall_likeness_from_92_percent():
    # Oliver/Olivia is two typos in a short name, but the long shared surname
    # makes the whole name 92% alike: exactly the threshold.
    assert names_match("Oliver", "Montgomery-Wallace", "Olivia", "Montgomery-Wallace")
    assert not names_match("Oliver", "Montgomery", "Olivia", "Montgomery")


def test_a_child_with_no_name_yet_never_matches_by_name():
    # An unborn baby is often referred with no name.
    assert not names_match("", "", "J", "K")
    assert not names_match("J", "K", "", "")
    assert not names_match("", "", "Leo", "Marsh")
    assert not names_match("-", "'", "Leo", "Marsh")


def test_addresses_match_with_punctuation_and_the_town_left_off():
    assert addresses_match("14 Canal Row, Northbridge", "14 canal row")
    assert not addresses_match("14 Canal Row", "2 Mill Lane")


def test_addresses_match_from_90_percent_alike():
    assert addresses_match("Oak Close", "Oaks Closes")  # exactly 90%
    assert not addresses_match("Oak Close", "Elm Close")


def test_two_children_who_share_only_one_name_do_not_match():
    assert not names_match("Leo", "Marsh", "Leo", "Hollis")
    assert not names_match("Taylor", "Jordan", "Jordan", "Reid")
    assert not names_match("Jordan", "Reid", "Taylor", "Jordan")


EARLIER = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_an_earlier_referral_is_found_by_nhs_number(world):
    earlier = submit(world.gp, now=EARLIER, child={"first_name": "Leonard"})
    new = submit(world.hv)
    [match] = earlier_history(new)
    assert match.earlier == earlier
    assert match.reasons[0] == "Same NHS number (943 476 5919)"


def test_the_same_nhs_number_alone_is_the_strongest_match(world):
    """Another name and birthday (a name changed, a date mistyped) but the same
    NHS number: still the same child, whatever else differs."""
    earlier = submit(
        world.gp,
        now=EARLIER,
        child={
            "first_name": "Theodore",
            "last_name": "Quinn",
            "date_of_birth": "2017-09-30",
            "postcode": "SW1A 1AA",
            "address": "1 Horse Guards Road, London",
        },
    )
    new = submit(world.hv)
    [match] = earlier_history(new)
    assert (match.earlier, match.reasons, match.strength, match.status) == (
        earlier,
        ["Same NHS number (943 476 5919)"],
        3,
        "",
    )


def test_an_earlier_referral_without_the_nhs_number_is_found_by_name_and_birthday(world):
    earlier = submit(world.gp, now=EARLIER, child={"nhs_number": "", "postcode": "NB9 9ZZ"})
    new = submit(world.hv)  # this time the NHS number is known
    [match] = earlier_history(new)
    assert (match.earlier, match.strength) == (earlier, 2)
    assert match.reasons == ["Same date of birth and a similar name (Leo Marsh)"]


def test_the_same_name_with_another_birthday_is_another_child(world):
    submit(  # found by the postcode, at another address on it
        world.gp,
        now=EARLIER,
        child={"nhs_number": "", "date_of_birth": "2012-01-01", "address": "2 Mill Lane"},
    )
    assert earlier_history(submit(world.hv, child={"nhs_number": ""})) == []


def test_the_same_address_at_another_postcode_is_not_the_household(world):
    submit(
        world.gp,
        now=EARLIER,
        child={"first_name": "Ruby", "nhs_number": "", "date_of_birth": "2021-01-05"},
    )
    moved = {"nhs_number": "", "postcode": "NB2 7XY"}
    assert earlier_history(submit(world.hv, child=moved)) == []


def test_a_later_referral_is_not_earlier_history(world):
    first = submit(world.gp, now=EARLIER)
    submit(world.hv)
    assert earlier_history(first) == []


def test_history_is_listed_confirmed_first_then_strongest_then_newest(world):
    sister = {"first_name": "Ruby", "nhs_number": "", "date_of_birth": "2021-01-05"}
    same_nhs_old = submit(world.gp, now=EARLIER, child={"first_name": "Leonard"})
    same_address = submit(world.gp, now=EARLIER + dt.timedelta(days=1), child=sister)
    same_nhs_new = submit(world.gp, now=EARLIER + dt.timedelta(days=2), child={"last_name": "M"})
    new = submit(world.hv)
    history = earlier_history(new)
    assert [(m.earlier, m.strength) for m in history] == [
        (same_nhs_new, 3),
        (same_nhs_old, 3),
        (same_address, 1),
    ]
    record_link(referral=new, earlier=same_address, actor=world.mash, confirmed=True)
    history = earlier_history(new)
    assert [(m.earlier, m.status) for m in history] == [
        (same_address, "confirmed"),
        (same_nhs_new, ""),
        (same_nhs_old, ""),
    ]
    # Confirming keeps what was found; the worker's reason is for links not found.
    assert history[0].reasons == [
        "Same address (NB1 4QT)",
        "The same mother, Kirsty Marsh (a similar name and the same address): about Ruby Marsh",
    ]
    assert history[0].strength == 1


def test_a_link_a_worker_confirmed_is_kept_though_nothing_matches(world, django_assert_num_queries):
    """A worker may know what the portal cannot: a cousin at another address."""
    cousin = submit(
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
    new = submit(world.hv)
    assert earlier_history(new) == []
    record_link(
        referral=new, earlier=cousin, actor=world.mash, confirmed=True, reason="Cousin, same carer"
    )
    # This referral's children and adults; candidate children and adults;
    # the children of referrals with a matching adult; the links.
    with django_assert_num_queries(6):
        [match] = earlier_history(new)
        assert match.earlier.reference == cousin.reference
    assert (match.earlier, match.reasons, match.strength, match.status) == (
        cousin,
        ["Cousin, same carer"],
        3,
        "confirmed",
    )


def test_the_cap_on_candidates_counts_only_children_who_share_something(world, monkeypatch):
    earlier = submit(world.gp, now=EARLIER)
    submit(  # more recent, and nothing in common with the new referral
        world.gp,
        now=EARLIER + dt.timedelta(days=1),
        child={
            "first_name": "Ava",
            "last_name": "Patel",
            "nhs_number": "",
            "date_of_birth": "2018-02-02",
            "postcode": "NB9 9ZZ",
            "address": "1 High Street",
        },
    )
    monkeypatch.setattr(matching, "CANDIDATE_LIMIT", 1)
    assert [m.earlier for m in earlier_history(submit(world.hv))] == [earlier]


def test_finding_history_takes_the_same_few_queries_however_much_is_found(
    world, django_assert_num_queries
):
    for day in range(3):
        submit(world.gp, now=EARLIER + dt.timedelta(days=day))
    new = submit(world.hv)
    # This referral's children and adults; candidate children and adults;
    # the children of referrals with a matching adult; the links.
    with django_assert_num_queries(6):
        found = earlier_history(new)
        assert {m.earlier.sending_agency.name for m in found} == {world.agency_b.name}
    assert len(found) == 3


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
    assert match.reasons == [
        "Same address (NB1 4QT)",
        # Kirsty lives with both children: Ruby is Leo's sister or half-sister.
        "The same mother, Kirsty Marsh (a similar name and the same address): about Ruby Hollis",
    ]


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


def test_after_a_transfer_the_receiving_front_door_finds_the_childs_history_at_the_old_one(
    world,
):
    from agencies.models import Agency, Role
    from audit.models import Action, AuditEvent
    from referrals.models import DeadlinePolicy
    from referrals.services.transfer import transfer_referral
    from tests.conftest import make_user

    DeadlinePolicy.objects.create(front_door=world.other_front_door)
    at_northbridge = submit(world.gp, now=EARLIER)
    new = submit(world.hv)
    # Unlinked, Southport knows nothing of Northbridge's earlier referral.
    elsewhere = Agency.objects.create(
        name="Southport GP", kind="gp_practice", front_door=world.other_front_door
    )
    southport_only = submit(make_user("gp.south", agency=elsewhere, role=Role.REFERRER))
    assert earlier_history(southport_only) == []
    transfer_referral(
        referral=new, actor=world.mash, to_front_door=world.other_front_door, reason="Moved."
    )
    new.refresh_from_db()
    assert [m.earlier for m in earlier_history(new)] == [at_northbridge]
    # The receiving front door's worker links it from the page, audited as any link.
    page = client_for(world.outsider).get(f"/referrals/{new.reference}/").content.decode()
    assert at_northbridge.reference in page
    client_for(world.outsider).post(
        f"/referrals/{new.reference}/link/",
        {"earlier": at_northbridge.reference, "decision": "confirm"},
    )
    assert AuditEvent.objects.filter(action=Action.LINKED, object_ref=new.reference).exists()
    assert [(m.earlier, m.status) for m in earlier_history(new)] == [(at_northbridge, "confirmed")]
    # Linking what no transfer connects is refused.
    assert (
        client_for(world.mash)
        .post(f"/referrals/{at_northbridge.reference}/link/", {"earlier": new.reference})
        .status_code
        == 404
    )


# --- the family, not just the child (Rapid Review A2; Family T) ---

LATER = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def adult(first, last, relationship="mother", dob="", **more):
    return {
        "first_name": first,
        "last_name": last,
        "relationship": relationship,
        "date_of_birth": dob,
        "lives_with_child": more.pop("lives_with_child", "yes"),
        "parental_responsibility": "yes",
        "known_concerns": [],
        **more,
    }


def elsewhere(**child):
    """Another child at another address, with nothing of Leo's."""
    return {
        "first_name": "Ava",
        "last_name": "Patel",
        "nhs_number": "",
        "date_of_birth": "2018-02-02",
        "postcode": "NB9 9ZZ",
        "address": "1 High Street",
        **child,
    }


def test_a_mother_is_matched_across_referrals_by_name_and_date_of_birth(world):
    earlier = submit(
        world.gp,
        now=EARLIER,
        child=elsewhere(),
        adults=[adult("Kirsty", "Marsh-Hale", dob="1995-04-03"), adult("Sam", "Marsh", "father")],
    )
    new = submit(
        world.hv,
        adults=[adult("Kirsty", "Marsh Hale", dob="1995-04-03"), adult("Sam", "Marsh", "father")],
    )
    [match] = related_history(new)
    assert match.other == earlier and not match.later
    assert match.reasons == [
        "The same mother, Kirsty Marsh Hale (a similar name and the same date of birth): "
        "about Ava Patel"
    ]


def test_a_mother_with_another_date_of_birth_is_another_woman(world):
    # The same name and address (both live with their child), two birthdays.
    father = adult("Sam", "Marsh", "father", lives_with_child="no")
    mother = adult("Kirsty", "Marsh", dob="1995-04-03")
    submit(world.gp, now=EARLIER, child=elsewhere(), adults=[mother, father])
    child = {"first_name": "Ava", "last_name": "Patel", "nhs_number": "", "postcode": "NB9 9ZZ"}
    new = submit(
        world.hv,
        child={**child, "address": "1 High Street"},
        adults=[{**mother, "date_of_birth": "1996-04-03"}, father],
    )
    assert [m.reasons for m in related_history(new)] == [["Same address (NB9 9ZZ)"]]


def test_a_father_referred_as_a_child_is_found_and_his_childhood_referral_shows_the_later_one(
    world,
):
    as_a_child = submit(
        world.gp,
        now=EARLIER,
        child=elsewhere(first_name="Samuel", last_name="Marsh", date_of_birth="2006-02-03"),
    )
    new = submit(
        world.hv,
        now=LATER,
        adults=[adult("Kirsty", "Marsh"), adult("Sam", "Marsh", "father", dob="2006-02-03")],
    )
    [match] = related_history(new)
    assert match.other == as_a_child
    assert match.reasons == [
        "Sam Marsh (father here) is in it as a child: a similar name and the same date of birth"
    ]
    # Links go both ways: the earlier referral shows the later one.
    [back] = related_history(as_a_child)
    assert back.other == new and back.later
    assert back.reasons == [
        "Samuel Marsh (a child here) is in it as father: a similar name and the same date of birth"
    ]
    assert earlier_history(as_a_child) == []


def unborn(**child):
    # The question pages take a due date from a month ago: the baby is due 10 days ago.
    due = timezone.localdate() - dt.timedelta(days=10)
    return {
        "first_name": "Baby",
        "last_name": "Marsh",
        "born": "no",
        "date_of_birth": "",
        "expected_date_of_delivery": due.isoformat(),
        "nhs_number": "",
        **child,
    }


def test_twins_born_after_a_pre_birth_referral_are_suggested_as_its_unborn_babies(world):
    due = timezone.localdate() - dt.timedelta(days=10)
    born = due - dt.timedelta(weeks=3)
    mother = adult("Kirsty", "Marsh", dob="2007-05-05")
    pre_birth = submit(
        world.gp,
        now=timezone.now() - dt.timedelta(days=120),
        children=[{**a_document()["children"][0], **unborn()}],
        adults=[mother, adult("Sam", "Marsh", "father")],
    )
    twin = {"nhs_number": "", "date_of_birth": born.isoformat(), "address": "3 Dock Road"}
    after = submit(
        world.hv,
        children=[
            {**a_document()["children"][0], **twin, "first_name": "Ellie"},
            {**a_document()["children"][0], **twin, "first_name": "Rose", "sex": "female"},
        ],
        adults=[{**mother, "address": "3 Dock Road"}, adult("Sam", "Marsh", "father")],
    )
    [match] = related_history(after)
    assert match.other == pre_birth
    assert match.reasons == [
        f"Ellie Marsh, born {born:%-d %B %Y}, may be the unborn baby (Baby Marsh) due "
        f"{due:%-d %B %Y}: the same mother, Kirsty Marsh",
        f"Rose Marsh, born {born:%-d %B %Y}, may be the unborn baby (Baby Marsh) due "
        f"{due:%-d %B %Y}: the same mother, Kirsty Marsh",
        "The same mother, Kirsty Marsh (a similar name and the same date of birth): about "
        "Baby Marsh",
    ]
    # And the pre-birth referral shows the babies' referral.
    [back] = related_history(pre_birth)
    assert back.other == after and back.later


@pytest.mark.parametrize(
    ("born", "suggested"),
    [
        (dt.date(2026, 12, 20), True),  # on the due date
        (dt.date(2026, 8, 23), True),  # 17 weeks early
        (dt.date(2026, 8, 22), False),
        (dt.date(2027, 1, 17), True),  # 4 weeks late
        (dt.date(2027, 1, 18), False),
    ],
)
def test_a_baby_is_suggested_as_the_unborn_baby_from_17_weeks_early_to_4_weeks_late(
    born, suggested
):
    from referrals.models import Adult, Child

    mother = Adult(first_name="Kirsty", last_name="Marsh", date_of_birth=dt.date(2007, 5, 5))
    baby = Child(first_name="Ellie", last_name="Marsh", date_of_birth=born)
    expected = Child(
        first_name="Baby", last_name="Marsh", expected_date_of_delivery=dt.date(2026, 12, 20)
    )
    found = matching._born_as_unborn(baby, expected, [mother], [mother], "")
    assert bool(found) is suggested
    # The same the other way round: the unborn baby's referral looking at the born one.
    assert bool(matching._born_as_unborn(expected, baby, [mother], [mother], "")) is suggested
    other_mother = Adult(first_name="Jade", last_name="Fielding", date_of_birth=dt.date(2001, 1, 1))
    assert matching._born_as_unborn(baby, expected, [mother], [other_mother], "") == ""


def test_an_unborn_baby_with_another_mother_is_not_suggested(world):
    submit(
        world.gp,
        now=timezone.now() - dt.timedelta(days=120),
        children=[{**a_document()["children"][0], **unborn(), "postcode": "NB9 9ZZ"}],
        adults=[adult("Jade", "Fielding", dob="2001-01-01"), adult("Sam", "Marsh", "father")],
    )
    after = submit(
        world.hv,
        child={"nhs_number": "", "date_of_birth": unborn()["expected_date_of_delivery"]},
        adults=[adult("Kirsty", "Marsh", dob="2007-05-05"), adult("Sam", "Marsh", "father")],
    )
    assert related_history(after) == []


def test_a_link_made_on_the_earlier_referrals_page_shows_on_both(world):
    earlier = submit(world.gp, now=EARLIER)
    later = submit(world.hv)
    client = client_for(world.mash)
    response = client.post(
        f"/referrals/{earlier.reference}/link/",
        {"other": later.reference, "decision": "confirm", "reason": "Same NHS number"},
    )
    assert response.status_code == 302
    [match] = related_history(earlier)
    assert (match.other, match.status, match.later) == (later, "confirmed", True)
    [match] = related_history(later)
    assert (match.other, match.status) == (earlier, "confirmed")
    later.refresh_from_db()
    assert later.is_re_referral  # the later one is the re-referral, whichever page linked it


def test_a_rejected_suggestion_is_not_shown_on_either_referral(world):
    earlier = submit(world.gp, now=EARLIER)
    later = submit(world.hv)
    client_for(world.mash).post(
        f"/referrals/{later.reference}/link/", {"other": earlier.reference, "decision": "reject"}
    )
    assert related_history(earlier) == [] and related_history(later) == []


dates = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2010, 12, 31))


@given(names, names, dates, dates, st.integers(min_value=0, max_value=20), st.sampled_from(LETTERS))
def test_adults_with_two_dates_of_birth_are_never_the_same_person(
    first, last, born_a, born_b, position, letter
):
    from referrals.models import Adult

    assume(born_a != born_b)
    position %= len(last)
    typo = last[:position] + letter + last[position + 1 :]
    a = Adult(first_name=first, last_name=last, date_of_birth=born_a, address="1 High St")
    b = Adult(first_name=first, last_name=typo, date_of_birth=born_b, address="1 High St")
    assert matching._same_adult(a, "", b, "") == ""
    assert matching._same_adult(
        a, "", Adult(first_name=first, last_name=typo, date_of_birth=born_a), ""
    )


@given(names, names, st.sampled_from(["Мария", "Zoë", "Siobhán", "Łucja", "Jürgen"]))
def test_a_name_in_another_script_or_with_accents_matches_its_latin_spelling(_, last, name):
    from anyascii import anyascii

    assert names_match(name, last, anyascii(name), last.upper())
