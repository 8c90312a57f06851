"""The referrals API: same rules and same access path as the pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from referrals.content import validate_content
from referrals.models import Referral, Status
from tests.conftest import a_document, submit, token_for

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "api" / "example-referral.json"


def api_for(user) -> APIClient:
    client = APIClient()
    token = token_for(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def example() -> dict:
    document: dict = json.loads(EXAMPLE.read_text())
    return document


def test_the_documented_example_is_accepted_and_receipted(world):
    response = api_for(world.gp).post("/api/v1/referrals/", example(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(reference=body["reference"])
    assert set(body) >= {"reference", "received_at", "acknowledge_by", "decide_by", "status"}
    assert body["status"] == "submitted"
    assert referral.sender == world.gp and referral.sending_agency == world.agency_b


def test_bad_input_gets_400_with_field_errors_by_path(world):
    body = example()
    body["kind"] = "gossip"
    body["children"][1]["first_name"] = ""
    body["children"][0]["nhs_number"] = "943 476 5918"
    body["sender"]["phone"] = "call me"
    response = api_for(world.gp).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields == {
        "kind": ["Select whether you are making a referral or asking for a consultation"],
        "children.0.nhs_number": ["Enter a real NHS number: check the digits against the record"],
        "children.1.first_name": ["Enter the child's first name, or 'Baby' if not yet named"],
        "sender.phone": [
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
        ],
    }
    assert Referral.objects.count() == 0


def test_the_example_comes_back_with_all_its_content(world):
    reference = (
        api_for(world.gp).post("/api/v1/referrals/", example(), format="json").json()["reference"]
    )
    body = api_for(world.gp).get(f"/api/v1/referrals/{reference}/").json()
    assert [c["first_name"] for c in body["children"]] == ["Leo", "Baby"]
    assert body["pre_birth"] is True and body["expected_due_date"] == "2027-04-20"
    assert [a["relationship"] for a in body["adults"]] == ["mother", "mothers_partner"]
    assert [a["organisation"] for a in body["other_agencies"]] == [
        "St Anne's Primary School",
        "Northbridge Community Midwives",
    ]
    assert body["previous_areas"][0]["local_authority"] == "Eastvale Borough Council"
    assert body["consent"]["no_consent_basis"] == "risk_to_child"
    assert body["children"][0]["nhs_number"] == "943 476 5919"


@pytest.mark.parametrize(
    "payload", [[], "text", {"child_date_of_birth": "14/06/2019"}, {"kind": {"a": 1}}]
)
def test_malformed_json_bodies_get_400_never_a_500(world, payload):
    response = api_for(world.gp).post("/api/v1/referrals/", payload, format="json")
    assert response.status_code == 400


def test_a_request_that_is_not_json_gets_a_clear_error(world):
    response = api_for(world.gp).post(
        "/api/v1/referrals/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_front_door_staff_cannot_submit(world):
    response = api_for(world.mash).post("/api/v1/referrals/", example(), format="json")
    assert response.status_code == 403


def test_without_a_token_the_api_refuses(world):
    response = APIClient().post("/api/v1/referrals/", example(), format="json")
    assert response.status_code in (401, 403)
    assert Referral.objects.count() == 0


def test_the_sender_reads_status_acknowledgement_escalations_and_timeline(world):
    from referrals.services.acknowledge import acknowledge_referral

    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    body = api_for(world.hv).get(f"/api/v1/referrals/{referral.reference}/").json()
    assert body["status"] == "acknowledged"
    assert body["acknowledgement"]["by"] == "Maya Ashworth"
    assert body["escalations"] == []
    assert [event["event"] for event in body["timeline"]] == ["submitted", "acknowledged"]


@pytest.mark.parametrize("persona", ["gp", "outsider"])
def test_a_user_of_another_agency_gets_404(world, persona):
    referral = submit(world.hv)
    response = api_for(getattr(world, persona)).get(f"/api/v1/referrals/{referral.reference}/")
    assert response.status_code == 404
    unknown = api_for(getattr(world, persona)).get("/api/v1/referrals/FD-0000-0000/")
    assert response.json() == unknown.json()


def test_a_front_door_worker_acknowledges_through_the_api(world):
    referral = submit(world.hv)
    response = api_for(world.mash).post(f"/api/v1/referrals/{referral.reference}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    again = api_for(world.manager).post(f"/api/v1/referrals/{referral.reference}/acknowledge/")
    assert again.status_code == 409


def test_a_referrer_gets_403_on_acknowledge(world):
    referral = submit(world.hv)
    response = api_for(world.hv).post(f"/api/v1/referrals/{referral.reference}/acknowledge/")
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_another_agency_gets_404_on_acknowledge_not_403(world):
    referral = submit(world.hv)
    response = api_for(world.outsider).post(f"/api/v1/referrals/{referral.reference}/acknowledge/")
    assert response.status_code == 404


def test_the_front_door_drives_triage_through_the_api_and_the_referrer_replies(world):
    referral = submit(world.hv)
    mash, hv, manager = api_for(world.mash), api_for(world.hv), api_for(world.manager)
    base = f"/api/v1/referrals/{referral.reference}"
    assert (
        mash.post(f"{base}/assign/", {"assignee": "me"}, format="json").json()["assigned_to"]
        == "Maya Ashworth"
    )
    body = mash.post(
        f"{base}/request-information/", {"question": "Any siblings?"}, format="json"
    ).json()
    question = body["information_requests"][0]
    assert question["open"] is True
    answered = hv.post(
        f"{base}/information-requests/{question['id']}/answer/",
        {"answer": "One, aged 3."},
        format="json",
    ).json()
    assert answered["information_requests"][0]["answer"] == "One, aged 3."
    decided = mash.post(
        f"{base}/decide/",
        {"decision": "early_help", "reasons": "Family agree to support."},
        format="json",
    ).json()
    assert decided["status"] == "decided" and decided["decision"]["decision"] == "early_help"
    assert decided["decision"]["outcome_sent_at"] is not None
    challenged = hv.post(
        f"{base}/challenge/", {"reasons": "The risk is higher than that."}, format="json"
    ).json()
    challenge = challenged["challenges"][0]
    assert challenge["open"] is True and challenge["with"] == "front-door managers"
    done = manager.post(
        f"{base}/challenges/{challenge['id']}/answer/",
        {"outcome": "upheld", "response": "The family is engaging."},
        format="json",
    ).json()
    assert done["challenges"][0]["outcome"] == "upheld"
    assert [e["event"] for e in done["timeline"]][-7:] == [
        "assigned",
        "information_requested",
        "information_given",
        "decided",
        "outcome_sent",
        "challenged",
        "challenge_answered",
    ]


def test_triage_api_errors_match_the_pages_and_permissions_hold(world):
    referral = submit(world.hv)
    base = f"/api/v1/referrals/{referral.reference}"
    bad = api_for(world.mash).post(f"{base}/decide/", {"decision": "maybe"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {
        "decision": ["Select a decision"],
        "reasons": ["Enter the reasons for the decision"],
    }
    assert (
        api_for(world.hv)
        .post(f"{base}/decide/", {"decision": "nfa", "reasons": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(world.gp)
        .post(f"{base}/decide/", {"decision": "nfa", "reasons": "x"}, format="json")
        .status_code
        == 404
    )
    assert (
        api_for(world.hv).post(f"{base}/challenge/", {"reasons": "x"}, format="json").status_code
        == 409
    )
    assert (
        api_for(world.mash)
        .post(f"{base}/assign/", {"assignee": world.outsider.pk}, format="json")
        .status_code
        == 400
    )


def test_another_agency_answers_through_the_api_and_sees_only_the_question(world):
    referral = submit(world.hv)
    body = (
        api_for(world.mash)
        .post(
            f"/api/v1/referrals/{referral.reference}/request-information/",
            {"question": "Last seen?", "to_agency": world.agency_b.pk},
            format="json",
        )
        .json()
    )
    assert body["information_requests"][0]["asked_of"] == "Riverside GP Practice"
    gp = api_for(world.gp)
    [question] = gp.get("/api/v1/questions/").json()
    assert set(question) == {
        "id",
        "reference",
        "about",
        "question",
        "asked_at",
        "due_by",
        "open",
        "answer",
        "answered_at",
    }
    answered = gp.post(
        f"/api/v1/questions/{question['id']}/answer/", {"answer": "Last week."}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "Last week."
    assert api_for(world.hv).get("/api/v1/questions/").json() == []
    assert (
        api_for(world.outsider)
        .post(f"/api/v1/questions/{question['id']}/answer/", {"answer": "x"}, format="json")
        .status_code
        == 404
    )


def test_an_agency_system_lists_its_own_referrals_a_page_at_a_time(world):

    for day in range(1, 6):
        submit(world.gp, now=dt.datetime(2026, 11, day, 10, 0, tzinfo=dt.UTC))
    submit(world.hv, now=dt.datetime(2026, 11, 3, 11, 0, tzinfo=dt.UTC))
    api = api_for(world.gp)
    first = api.get("/api/v1/referrals/?page_size=2").json()
    assert [r["received_at"][:10] for r in first["results"]] == ["2026-11-05", "2026-11-04"]
    second = api.get(first["next"]).json()
    assert [r["received_at"][:10] for r in second["results"]] == ["2026-11-03", "2026-11-02"]
    assert "children" not in first["results"][0]  # no personal data in lists
    ranged = api.get(
        "/api/v1/referrals/?received_after=2026-11-02&received_before=2026-11-03"
    ).json()
    assert len(ranged["results"]) == 2
    assert api.get("/api/v1/referrals/?status=decided").json()["results"] == []
    # Another agency's referral never appears.
    everything = api.get("/api/v1/referrals/?page_size=200").json()["results"]
    assert len(everything) == 5


def test_listing_filters_are_checked(world):
    response = api_for(world.gp).get("/api/v1/referrals/?status=lost&received_after=yesterday")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "received_after"}


def test_a_runaway_client_is_slowed_with_429_and_told_when_to_retry(world):
    api = api_for(world.gp)
    codes = [api.get("/api/v1/questions/").status_code for _ in range(601)]
    assert codes[:600] == [200] * 600
    limited = api.get("/api/v1/questions/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["error"] == "throttled"
    # Other users are not affected.
    assert api_for(world.hv).get("/api/v1/questions/").status_code == 200


def test_an_unknown_api_address_answers_in_json_too(world):
    response = api_for(world.gp).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert api_for(world.gp).delete("/api/v1/referrals/").status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "updated_since=4951-06-03T03:20:45.781595-20:14",
        "received_before=0367-10-25",
        "received_before=9999-12-31",
        "received_after=1800-01-01",
    ],
)
def test_far_fetched_dates_are_a_400_not_a_server_error(world, query):
    # Found by the schema-driven contract test on PostgreSQL.
    assert api_for(world.gp).get(f"/api/v1/referrals/?{query}").status_code == 400


def test_a_time_with_an_offset_is_understood(world):

    submit(world.gp, now=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))
    results = (
        api_for(world.gp)
        .get("/api/v1/referrals/?updated_since=2026-11-01T09:00:00-05:00")
        .json()["results"]
    )
    assert len(results) == 1


def test_a_relationship_that_is_not_text_is_a_400_not_a_500(world):
    document = a_document()
    document["adults"][0]["relationship"] = {}
    document["adults"][1]["relationship"] = []
    content, problems = validate_content(document)
    assert content is None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    assert api.post("/api/v1/referrals/", document, format="json").status_code == 400


def test_an_oversized_api_body_is_refused_with_a_400(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    document = a_document(concern={"what_happened": "x" * 3_000_000})
    response = api.post("/api/v1/referrals/", json.dumps(document), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_the_api_docs_open_for_a_token_as_they_do_signed_out(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    assert api.get("/api/v1/docs/").status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 50_000 + "]" * 50_000, "nested more than"),
        ('{"kind": "\\ud800"}', "valid Unicode"),
        ('{"children": [{"first_name": "\\udfff"}]}', "valid Unicode"),
    ],
)
def test_hostile_json_is_a_400_with_a_reason_not_a_500(world, body, message):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    response = api.generic("POST", "/api/v1/referrals/", body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["message"]


@pytest.mark.parametrize("cursor", ["cD1ub3RhZGF0ZQ==", "cD0yMDI2LTk5LTk5", "cj0xJnA9eA=="])
def test_a_made_up_page_cursor_is_not_found_not_a_500(world, cursor):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    response = api.get(f"/api/v1/referrals/?cursor={cursor}")
    assert response.status_code == 404
    assert "cursor is not valid" in response.json()["message"]
