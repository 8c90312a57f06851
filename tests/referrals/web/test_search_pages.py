"""The "Search people" page: front-door staff find a family again; nobody
else can; every search and every result opened is in the audit."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEvent
from tests.conftest import WEDNESDAY_10AM, client_for, decided, submit


def error_summary(response) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.content.decode())


def test_the_front_door_finds_a_decided_referral_by_name_and_date_of_birth(world):
    referral = decided(world)
    response = client_for(world.mash).post(
        "/front-door/search/",
        {
            "name": "Marsh Leo",
            "date_of_birth-day": "14",
            "date_of_birth-month": "6",
            "date_of_birth-year": "2019",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 person found" in html
    assert "Leo Marsh, born 14 June 2019" in html
    assert f'href="/referrals/{referral.reference}/?from=search"' in html
    assert "No further action" in html


def test_the_search_page_is_in_the_front_doors_navigation(world):
    html = client_for(world.mash).get("/front-door/search/").content.decode()
    assert 'href="/front-door/search/"' in html
    assert "<h1" in html and "Search people" in html


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a"])
def test_people_outside_the_front_door_cannot_search(world, persona):
    submit(world.hv, now=WEDNESDAY_10AM)
    client = client_for(getattr(world, persona))
    assert client.get("/front-door/search/").status_code == 403
    response = client.post("/front-door/search/", {"name": "Leo Marsh"})
    assert response.status_code == 403
    assert "Leo Marsh" not in response.content.decode()


def test_another_front_doors_worker_finds_nothing_of_ours(world):
    submit(world.hv, now=WEDNESDAY_10AM)
    response = client_for(world.outsider).post("/front-door/search/", {"name": "Leo Marsh"})
    assert response.status_code == 200
    assert "No one found" in response.content.decode()


def test_an_empty_search_says_what_to_enter(world):
    response = client_for(world.mash).post("/front-door/search/", {"name": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Search people" in html
    assert "Enter a name, date of birth, NHS number, postcode or address to search for" in html


def test_a_wrong_date_or_nhs_number_is_explained_and_what_was_typed_is_kept(world):
    response = client_for(world.mash).post(
        "/front-door/search/",
        {
            "name": "Leo Marsh",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2019",
            "nhs_number": "123",
            "postcode": "NB1 4Q",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("id_date_of_birth-day", "The date of birth must be a real date"),
        ("id_nhs_number", "NHS number must be 10 digits, like 943 476 5919"),
        ("id_postcode", "Enter a real postcode, like SW1A 2AA"),
    ]
    html = response.content.decode()
    assert 'value="Leo Marsh"' in html and 'value="31"' in html


def test_names_typed_are_escaped_on_the_page(world):
    response = client_for(world.mash).post(
        "/front-door/search/", {"name": "<script>alert(1)</script>"}
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_each_search_is_audited_with_its_terms_and_the_referrals_shown(world):
    referral = decided(world)
    client_for(world.mash).post("/front-door/search/", {"name": "Leo Marsh"})
    event = AuditEvent.objects.get(object_type="person_search")
    assert event.actor == world.mash
    assert event.detail["terms"] == {"name": "Leo Marsh"}
    assert event.detail["references"] == [referral.reference]


def test_opening_a_result_is_audited_as_opened_from_a_search(world):
    referral = decided(world)
    client = client_for(world.mash)
    assert client.get(f"/referrals/{referral.reference}/?from=search").status_code == 200
    event = AuditEvent.objects.get(
        object_type="referral", object_ref=referral.reference, action="viewed"
    )
    assert event.actor == world.mash
    assert event.detail == {"page": "detail", "from": "search"}


def test_a_search_without_results_is_audited_too(world):
    client_for(world.mash).post("/front-door/search/", {"name": "Nobody Known"})
    event = AuditEvent.objects.get(object_type="person_search")
    assert event.detail["people"] == 0 and event.detail["references"] == []
