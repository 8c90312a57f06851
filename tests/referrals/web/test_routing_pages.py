"""Check your answers says where a referral goes; a sender serving many
areas chooses a front door for a child whose postcode decides nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agencies.models import Agency, AgencyKind, CoveredPostcode, Role
from referrals.models import Draft, Referral
from tests.conftest import a_document, client_for, make_user


@pytest.fixture
def paramedic(world):
    CoveredPostcode.objects.create(front_door=world.front_door, postcode="NB1")
    CoveredPostcode.objects.create(front_door=world.other_front_door, postcode="SP4")
    ambulance = Agency.objects.create(
        name="Coastal Ambulance Service",
        kind=AgencyKind.AMBULANCE,
        front_door=world.front_door,
        serves_many_areas=True,
    )
    return make_user("para.medic", agency=ambulance, role=Role.REFERRER)


def draft_of(author, **overrides) -> Draft:
    now = timezone.now()
    return Draft.objects.create(
        author=author, data=a_document(**overrides), created_at=now, updated_at=now
    )


def test_a_child_with_no_postcode_goes_where_the_paramedic_chooses(world, paramedic):
    draft = draft_of(paramedic, child={"postcode": "", "address": "No fixed abode"})
    client = client_for(paramedic)
    check = client.get(f"/referrals/drafts/{draft.pk}/check/").content.decode()
    assert "Where it goes" in check
    assert "No postcode a front door covers: Leo Marsh" in check
    assert f"/referrals/drafts/{draft.pk}/front-door/" in check
    page = client.get(f"/referrals/drafts/{draft.pk}/front-door/").content.decode()
    assert "Northbridge Front Door (your agency&#x27;s front door)" in page
    refused = client.post(f"/referrals/drafts/{draft.pk}/front-door/", {"front_door": "999"})
    assert "Error:" in refused.content.decode()
    assert "Select the front door to send it to" in refused.content.decode()
    client.post(
        f"/referrals/drafts/{draft.pk}/front-door/", {"front_door": str(world.other_front_door.pk)}
    )
    check = client.get(f"/referrals/drafts/{draft.pk}/check/").content.decode()
    assert "Southport Front Door" in check
    client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert Referral.objects.get().front_door == world.other_front_door


def test_children_in_two_areas_are_pointed_out_before_sending(world, paramedic):
    document = a_document()
    second = dict(document["children"][0], first_name="Mia", postcode="SP4 2AB", nhs_number="")
    draft = draft_of(paramedic, children=[document["children"][0], second])
    check = client_for(paramedic).get(f"/referrals/drafts/{draft.pk}/check/").content.decode()
    assert "It will be sent as 2 referrals, one to each front door" in check
    client_for(paramedic).post(f"/referrals/drafts/{draft.pk}/check/")
    assert sorted(Referral.objects.values_list("front_door__name", flat=True)) == [
        "Northbridge Front Door",
        "Southport Front Door",
    ]


def test_an_agency_of_one_area_has_nothing_to_choose(world, paramedic):
    draft = draft_of(world.hv, child={"postcode": ""})
    client = client_for(world.hv)
    check = client.get(f"/referrals/drafts/{draft.pk}/check/").content.decode()
    assert "Northbridge Front Door" in check
    assert f"/referrals/drafts/{draft.pk}/front-door/" not in check
    assert client.get(f"/referrals/drafts/{draft.pk}/front-door/").status_code == 404
    # Another person's draft is not found either.
    assert client_for(paramedic).get(f"/referrals/drafts/{draft.pk}/front-door/").status_code == 404
