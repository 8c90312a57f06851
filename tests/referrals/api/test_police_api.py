"""The police and strategy discussion API (referrals.api.police): the same
rules as the pages."""

from __future__ import annotations

import datetime as dt

from audit.models import Action, AuditEvent
from referrals.models import PoliceNotice, StrategyDiscussion
from referrals.services.decision import decide_referral
from tests.conftest import submit
from tests.referrals.api.test_api import api_for
from tests.referrals.test_pathways import injured_baby


def test_an_officer_lists_views_and_acknowledges_through_the_api(world, police):
    referral = submit(world.hv, **injured_baby())
    client = api_for(police.officer)
    listing = client.get("/api/v1/police/referrals/")
    assert listing.status_code == 200
    assert [item["reference"] for item in listing.json()] == [referral.reference]
    assert listing.json()[0]["reasons"] == ["injured_baby"]
    one = client.get(f"/api/v1/police/referrals/{referral.reference}/").json()
    assert one["referral"]["children"][0]["first_name"] == "Leo"
    assert "consent" not in one["referral"] and "timeline" not in one["referral"]
    done = client.post(f"/api/v1/police/referrals/{referral.reference}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_by"] == "Priya Okafor"
    again = client.post(f"/api/v1/police/referrals/{referral.reference}/acknowledge/")
    assert again.status_code == 409 and again.json()["error"] == "already_acknowledged"
    assert AuditEvent.objects.filter(
        actor=police.officer, action=Action.VIEWED, object_ref=referral.reference, via="api"
    ).exists()
    # The front door's system sees who acknowledged on the referral.
    front = api_for(world.mash).get(f"/api/v1/referrals/{referral.reference}/").json()
    assert front["police"]["acknowledged_by"] == "Priya Okafor"


def test_other_people_get_403_on_the_list_and_404_on_a_referral(world, police):
    referral = submit(world.hv, **injured_baby())
    assert api_for(world.mash).get("/api/v1/police/referrals/").status_code == 403
    assert api_for(world.hv).get("/api/v1/police/referrals/").status_code == 403
    other = api_for(police.other_officer)
    assert other.get("/api/v1/police/referrals/").json() == []
    assert other.get(f"/api/v1/police/referrals/{referral.reference}/").status_code == 404
    assert (
        other.post(f"/api/v1/police/referrals/{referral.reference}/acknowledge/").status_code == 404
    )
    # An officer cannot read the referral through the front door's API either.
    assert (
        api_for(police.officer).get(f"/api/v1/referrals/{referral.reference}/").status_code == 404
    )


def test_the_front_door_tells_the_police_through_the_api(world, police):
    referral = submit(world.hv)
    url = f"/api/v1/referrals/{referral.reference}/tell-police/"
    bad = api_for(world.mash).post(url, {"note": " "}, format="json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"note": ["Enter what crime may have been committed"]}
    assert api_for(world.hv).post(url, {"note": "Assault"}, format="json").status_code == 403
    done = api_for(world.mash).post(url, {"note": "Assault"}, format="json")
    assert done.status_code == 200 and done.json()["police"]["reasons"] == ["possible_crime"]
    assert PoliceNotice.objects.get(referral=referral).crime_note == "Assault"


def test_the_front_door_records_the_strategy_discussion_through_the_api(world, police):
    referral = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Significant harm.",
        next_steps="",
        next_steps_owner="",
    )
    discussion = StrategyDiscussion.objects.get(referral=referral)
    ids = list(discussion.participants.values_list("id", flat=True))
    url = f"/api/v1/referrals/{referral.reference}/strategy-discussion/"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    bad = api_for(world.mash).post(
        url, {"held_on": today, "held_time": "25:00", "outcome": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"held_time", "outcome", "conference_follows"}
    body = {
        "held_on": today,
        "held_time": "00:05",
        "took_part": ids[:2],
        "outcome": "section_47",
        "next_steps": "Joint visit.",
        "conference_follows": "yes",
    }
    assert api_for(world.hv).post(url, body, format="json").status_code == 403
    done = api_for(world.mash).post(url, body, format="json")
    assert done.status_code == 200
    recorded = done.json()["strategy_discussion"]
    assert recorded["outcome"] == "section_47" and recorded["conference_due_by"]
    assert [p["took_part"] for p in recorded["participants"]][:3] == [True, True, False]
    assert api_for(world.mash).post(url, body, format="json").status_code == 409
    # The referrer's system reads the outcome.
    seen = api_for(world.hv).get(f"/api/v1/referrals/{referral.reference}/").json()
    assert seen["strategy_discussion"]["outcome"] == "section_47"
