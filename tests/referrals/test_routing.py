"""A referral goes to the front door of the child's home postcode; a child
whose postcode decides nothing goes where the sender chose, or to their own
front door; children in different areas make a referral per front door."""

from __future__ import annotations

import pytest

from agencies.models import Agency, AgencyKind, CoveredPostcode, Role
from notifications.models import Notification
from referrals.models import EventKind, Referral
from referrals.routing import RoutingProblem, front_doors_for_sender, route_children
from referrals.services.submit import submit_referral
from tests.conftest import a_document, content_of, make_user, submit


@pytest.fixture
def areas(world):
    CoveredPostcode.objects.create(front_door=world.front_door, postcode="NB1")
    CoveredPostcode.objects.create(front_door=world.other_front_door, postcode="SP4")
    ambulance = Agency.objects.create(
        name="Coastal Ambulance Service",
        kind=AgencyKind.AMBULANCE,
        front_door=world.front_door,
        serves_many_areas=True,
    )
    world.paramedic = make_user("para.medic", agency=ambulance, role=Role.REFERRER)
    world.ambulance = ambulance
    return world


def child(first: str, postcode: str) -> dict:
    return {
        "first_name": first,
        "last_name": "Rowe",
        "born": "yes",
        "date_of_birth": "2020-03-01",
        "sex": "female",
        "address": "1 High Street",
        "postcode": postcode,
        "interpreter_needed": "no",
        "plan_status": "none",
    }


def test_a_referral_goes_to_the_front_door_of_the_childs_postcode(areas):
    referral = submit(areas.paramedic, children=[child("Ava", "SP4 2AB")])
    assert referral.front_door == areas.other_front_door


def test_even_an_agency_of_one_area_sends_a_child_from_next_door_to_next_door(areas):
    referral = submit(areas.hv, children=[child("Ava", "SP4 2AB")])
    assert referral.front_door == areas.other_front_door
    assert referral in Referral.objects.filter(sender=areas.hv)


def test_no_fixed_abode_or_an_unknown_postcode_goes_to_the_senders_own_front_door(areas):
    assert submit(areas.paramedic, children=[child("Ava", "")]).front_door == areas.front_door
    assert (
        submit(areas.paramedic, children=[child("Ava", "YO1 7HH")]).front_door == areas.front_door
    )


def test_a_sender_serving_many_areas_may_choose_another_front_door_for_such_a_child(areas):
    referral = submit(
        areas.paramedic, children=[child("Ava", "")], front_door=str(areas.other_front_door.pk)
    )
    assert referral.front_door == areas.other_front_door


def test_the_choice_never_overrides_a_postcode_a_front_door_covers(areas):
    referral = submit(
        areas.paramedic,
        children=[child("Ava", "NB1 4QT")],
        front_door=str(areas.other_front_door.pk),
    )
    assert referral.front_door == areas.front_door


def test_an_agency_of_one_area_may_not_choose_another_front_door(areas):
    assert list(front_doors_for_sender(areas.agency_a)) == [areas.front_door]
    assert list(front_doors_for_sender(areas.ambulance)) == [
        areas.front_door,
        areas.other_front_door,
    ]
    with pytest.raises(RoutingProblem, match="Choose a front door from the list"):
        submit(areas.hv, children=[child("Ava", "")], front_door=str(areas.other_front_door.pk))
    with pytest.raises(RoutingProblem):
        route_children(sending_agency=areas.ambulance, postcodes=[""], choice="not-a-number")
    assert Referral.objects.count() == 0


def test_children_in_two_areas_make_a_linked_referral_for_each_front_door(areas):
    document = a_document(
        children=[child("Ava", "NB1 4QT"), child("Ben", "SP4 2AB"), child("Cal", "NB1 5AA")]
    )
    first = submit_referral(sender=areas.paramedic, content=content_of(document))
    other = Referral.objects.exclude(pk=first.pk).get()
    assert first.front_door == areas.front_door
    assert [c.first_name for c in first.children.all()] == ["Ava", "Cal"]
    assert other.front_door == areas.other_front_door
    assert [c.first_name for c in other.children.all()] == ["Ben"]
    assert other.sent_with == first
    # Each front door gets the concern and the adults, and its own clock.
    assert other.what_happened == first.what_happened
    assert other.adults.count() == first.adults.count() == 2
    assert other.clock.acknowledge_by == other.acknowledge_by
    # The sender is told of both: a receipt each, and each timeline says where the rest went.
    receipts = Notification.objects.filter(purpose="receipt", to_address=areas.paramedic.email)
    assert {n.referral_id for n in receipts} == {first.pk, other.pk}
    said = first.events.get(kind=EventKind.SENT_TOGETHER).summary
    assert other.reference in said and "Southport Front Door" in said
    assert first.reference in other.events.get(kind=EventKind.SENT_TOGETHER).summary


def test_each_front_door_sees_only_the_referral_about_its_own_child(areas):
    from referrals.selectors.access import referrals_visible_to

    submit_referral(
        sender=areas.paramedic,
        content=content_of(a_document(children=[child("Ava", "NB1 4QT"), child("Ben", "SP4 2AB")])),
    )
    seen = referrals_visible_to(areas.outsider)
    assert [c.first_name for r in seen for c in r.children.all()] == ["Ben"]
    assert len(referrals_visible_to(areas.paramedic)) == 2
