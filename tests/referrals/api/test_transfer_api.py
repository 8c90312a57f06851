"""Transfers through the API: the same form, the same rules, field errors."""

from __future__ import annotations

from rest_framework.test import APIClient

from referrals.models import DeadlinePolicy, Status, Transfer
from tests.conftest import submit, token_for


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def test_a_front_door_transfers_a_referral_through_the_api(world):
    DeadlinePolicy.objects.create(front_door=world.other_front_door)
    referral = submit(world.hv)
    response = api_for(world.mash).post(
        f"/api/v1/referrals/{referral.reference}/transfer/",
        {"to_front_door": str(world.other_front_door.pk), "reason": "Wrong area."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.SUBMITTED
    referral.refresh_from_db()
    assert referral.front_door == world.other_front_door
    # The sending front door can read it still, and can no longer act.
    again = api_for(world.mash).post(
        f"/api/v1/referrals/{referral.reference}/acknowledge/", {}, format="json"
    )
    assert again.status_code == 403


def test_bad_transfers_get_field_errors_never_a_500(world):
    referral = submit(world.hv)
    client = api_for(world.mash)
    url = f"/api/v1/referrals/{referral.reference}/transfer/"
    response = client.post(url, {"to_front_door": "999999"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"to_front_door", "reason"}
    response = client.post(
        url, {"to_front_door": str(world.front_door.pk), "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "already at this front door" in response.json()["fields"]["to_front_door"][0]
    assert api_for(world.hv).post(url, {}, format="json").status_code == 403
    assert api_for(world.gp).post(url, {}, format="json").status_code == 404


def test_a_transfer_elsewhere_is_confirmed_through_the_api(world):
    referral = submit(world.hv)
    client = api_for(world.mash)
    response = client.post(
        f"/api/v1/referrals/{referral.reference}/transfer/",
        {
            "to_front_door": "elsewhere",
            "to_authority": "Eastshire County Council",
            "method": "secure_email",
            "sent_to": "Eastshire MASH",
            "reason": "Moved.",
        },
        format="json",
    )
    assert response.json()["status"] == Status.TRANSFERRED
    sent = Transfer.objects.get()
    url = f"/api/v1/referrals/{referral.reference}/transfers/{sent.pk}/confirm/"
    assert client.post(url, {}, format="json").status_code == 400
    assert client.post(url, {"confirmation": "By phone"}, format="json").status_code == 200
    assert client.post(url, {"confirmation": "By phone"}, format="json").status_code == 409


def test_a_choice_of_front_door_the_sender_may_not_make_is_a_field_error(world):
    from tests.conftest import a_document

    document = a_document(child={"postcode": ""}, front_door=str(world.other_front_door.pk))
    response = api_for(world.hv).post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"front_door": ["Choose a front door from the list"]}


def test_the_receipt_says_which_front_door_and_where_the_other_children_went(world):
    from agencies.models import CoveredPostcode
    from tests.conftest import a_document

    CoveredPostcode.objects.create(front_door=world.other_front_door, postcode="SP4")
    document = a_document()
    second = dict(document["children"][0], first_name="Mia", postcode="SP4 2AB", nhs_number="")
    document["children"].append(second)
    response = api_for(world.hv).post("/api/v1/referrals/", document, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["front_door"] == "Northbridge Front Door"
    assert [s["front_door"] for s in body["sent_together"]] == ["Southport Front Door"]
