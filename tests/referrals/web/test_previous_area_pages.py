"""Previous areas belong to a person; the front door records when it asked
the other local authority and what came back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from referrals.models import PreviousArea
from tests.conftest import WEDNESDAY_10AM, a_document, client_for, submit

AREA = {
    "address": "22 Harbour Street, Southport",
    "local_authority": "Southport Council",
    "when": "until 2024",
    "person": "Kirsty Marsh",
}


def error_summary(response) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.content.decode())


@pytest.fixture
def referral(world):
    return submit(world.hv, now=WEDNESDAY_10AM, previous_areas=[AREA])


def check_url(referral) -> str:
    area = referral.previous_areas.get()
    return f"/referrals/{referral.reference}/previous-areas/{area.pk}/"


def test_a_previous_area_names_who_lived_there(world, referral):
    assert referral.previous_areas.get().person == "Kirsty Marsh"
    html = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Southport Council</strong> (until 2024), Kirsty Marsh" in html


def test_the_front_door_records_asking_and_then_the_answer(world, referral):
    client = client_for(world.mash)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not asked yet." in page
    asked = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(
        check_url(referral),
        {
            "asked_on-day": asked.day,
            "asked_on-month": asked.month,
            "asked_on-year": asked.year,
        },
    )
    assert response.status_code == 302
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f"Asked {asked:%-d %B %Y}" in page and "Waiting for an answer" in page
    today = timezone.localdate()
    client.post(
        check_url(referral),
        {
            "asked_on-day": asked.day,
            "asked_on-month": asked.month,
            "asked_on-year": asked.year,
            "answer": "Known to us 2019 to 2023: child in need plan for Kirsty as a teenager.",
            "answered_on-day": today.day,
            "answered_on-month": today.month,
            "answered_on-year": today.year,
        },
    )
    area = PreviousArea.objects.get()
    assert area.answered_on == today and area.recorded_by == world.mash
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f"Answer came {today:%-d %B %Y}" in page
    assert "child in need plan for Kirsty as a teenager" in page
    events = AuditEvent.objects.filter(object_ref=referral.reference, action="information_given")
    assert events.count() == 2
    timeline = [e.summary for e in referral.events.filter(kind="area_checked")]
    assert len(timeline) == 2 and "recorded asking Southport Council" in timeline[0]


def test_what_came_back_is_for_the_front_door_only(world, referral):
    client = client_for(world.mash)
    client.post(
        check_url(referral),
        {"asked_on-day": "1", "asked_on-month": "11", "asked_on-year": "2026"},
    )
    theirs = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Waiting for an answer" not in theirs and "Not asked yet" not in theirs


@pytest.mark.parametrize("persona", ["hv", "gp", "outsider"])
def test_only_the_front_door_may_record_a_check(world, referral, persona):
    response = client_for(getattr(world, persona)).post(
        check_url(referral),
        {"asked_on-day": "1", "asked_on-month": "11", "asked_on-year": "2026"},
    )
    assert response.status_code in {403, 404}
    assert PreviousArea.objects.get().asked_on is None


def test_another_referrals_area_is_not_found(world, referral):
    other = submit(world.gp, now=WEDNESDAY_10AM, previous_areas=[AREA])
    area = other.previous_areas.get()
    response = client_for(world.mash).get(
        f"/referrals/{referral.reference}/previous-areas/{area.pk}/"
    )
    assert response.status_code == 404


def test_mistakes_are_explained_and_what_was_typed_is_kept(world, referral):
    response = client_for(world.mash).post(
        check_url(referral),
        {
            "asked_on-day": "10",
            "asked_on-month": "11",
            "asked_on-year": "2026",
            "answer": "Not known to them.",
            "answered_on-day": "9",
            "answered_on-month": "11",
            "answered_on-year": "2026",
        },
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        (
            "id_answered_on-day",
            "The date the answer came must be the same as or after you asked",
        )
    ]
    assert "Not known to them." in response.content.decode()
    response = client_for(world.mash).post(check_url(referral), {"answer": "Not known to them."})
    assert error_summary(response) == [
        ("id_asked_on-day", "Enter the date you asked"),
        ("id_answered_on-day", "Enter the date the answer came"),
    ]
    assert PreviousArea.objects.get().asked_on is None


def test_the_api_gives_each_previous_area_an_id_and_its_person(world):
    from tests.referrals.api.test_api import api_for

    referral = submit(world.hv, now=WEDNESDAY_10AM, previous_areas=[AREA])
    body = api_for(world.mash).get(f"/api/v1/referrals/{referral.reference}/").json()
    [area] = body["previous_areas"]
    assert area["person"] == "Kirsty Marsh" and isinstance(area["id"], int)
    assert "answer" not in area  # what came back is shown on the page, to the front door


def test_a_document_without_a_person_still_works(world):
    document = a_document(previous_areas=[{**AREA, "person": ""}])
    assert document["previous_areas"][0]["person"] == ""
    referral = submit(world.hv, now=WEDNESDAY_10AM, previous_areas=document["previous_areas"])
    assert referral.previous_areas.get().person == ""


def test_the_front_door_records_a_check_through_the_api(world, referral):
    from tests.referrals.api.test_api import api_for

    area = referral.previous_areas.get()
    url = f"/api/v1/referrals/{referral.reference}/previous-areas/{area.pk}/check/"
    response = api_for(world.mash).post(
        url,
        {"asked_on": "2026-11-02", "answer": "Not known to us.", "answered_on": "2026-11-04"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "id": area.pk,
        "address": AREA["address"],
        "local_authority": "Southport Council",
        "when": "until 2024",
        "person": "Kirsty Marsh",
        "asked_on": "2026-11-02",
        "answer": "Not known to us.",
        "answered_on": "2026-11-04",
    }
    bad = api_for(world.mash).post(url, {"answer": "Not known to us."}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"asked_on", "answered_on"}
    assert api_for(world.hv).post(url, {"asked_on": "2026-11-02"}, format="json").status_code == 403
    missing = f"/api/v1/referrals/{referral.reference}/previous-areas/{area.pk + 99}/check/"
    assert api_for(world.mash).post(missing, {}, format="json").status_code == 404
