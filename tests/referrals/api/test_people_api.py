"""GET /api/v1/people/: the same search, scoping and audit as the page."""

from __future__ import annotations

from audit.models import AuditEvent
from tests.conftest import WEDNESDAY_10AM, decided, submit
from tests.referrals.api.test_api import api_for


def test_the_front_door_searches_people_through_the_api(world):
    referral = decided(world)
    response = api_for(world.mash).get(
        "/api/v1/people/", {"name": "Leo Mrash", "date_of_birth": "2019-06-14"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["more"] is False
    [person] = body["people"]
    assert person["name"] == "Leo Marsh"
    assert person["date_of_birth"] == "2019-06-14"
    assert person["nhs_number"] == "943 476 5919"
    assert person["roles"] == ["Child"]
    assert person["referrals"] == [
        {
            "reference": referral.reference,
            "kind": "referral",
            "status": "decided",
            "decision": "nfa",
            "received_at": "2026-11-25T10:00:00Z",
            "sending_agency": "Northbridge Health Visiting",
            "role": "Child",
            "name": "Leo Marsh",
            "date_of_birth": "2019-06-14",
        }
    ]
    event = AuditEvent.objects.get(object_type="person_search")
    assert event.via == "api"
    assert event.detail["references"] == [referral.reference]


def test_bad_search_terms_are_a_400_with_field_errors(world):
    response = api_for(world.mash).get(
        "/api/v1/people/", {"date_of_birth": "2019-02-31", "nhs_number": "12"}
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"date_of_birth", "nhs_number"}


def test_an_empty_search_is_a_400(world):
    response = api_for(world.mash).get("/api/v1/people/")
    assert response.status_code == 400
    assert response.json()["fields"]["__all__"] == [
        "Enter a name, date of birth, NHS number, postcode or address to search for"
    ]


def test_only_front_door_staff_may_search_through_the_api(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    response = api_for(world.hv).get("/api/v1/people/", {"name": "Leo Marsh"})
    assert response.status_code == 403
    assert "Leo" not in response.content.decode()


def test_the_api_finds_nothing_at_another_front_door(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    response = api_for(world.outsider).get("/api/v1/people/", {"name": "Leo Marsh"})
    assert response.status_code == 200
    assert response.json()["people"] == []
