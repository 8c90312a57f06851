"""The triage pages: errors in GOV.UK style, and who may open or post them."""

from __future__ import annotations

import pytest

from referrals.models import InformationRequest
from referrals.services.triage import (
    request_information,
)
from tests.conftest import client_for, submit


def test_deciding_through_the_page_shows_errors_in_govuk_style(world):
    referral = submit(world.hv)
    client = client_for(world.mash)
    response = client.post(f"/referrals/{referral.reference}/decide/", {})
    html = response.content.decode()
    assert "<title>Error: Record the decision - Front Door</title>" in html
    assert 'href="#id_decision">Select a decision</a>' in html
    assert 'href="#id_reasons">Enter the reasons for the decision</a>' in html
    response = client.post(
        f"/referrals/{referral.reference}/decide/",
        {"decision": "early_help", "reasons": "Family agree to support."},
        follow=True,
    )
    assert "Decision recorded" in response.content.decode()


def test_a_referrer_cannot_open_the_decision_page_and_another_agency_cannot_see_it(world):
    referral = submit(world.hv)
    assert client_for(world.hv).get(f"/referrals/{referral.reference}/decide/").status_code == 403
    assert client_for(world.gp).get(f"/referrals/{referral.reference}/decide/").status_code == 404


def test_the_referrer_answers_a_question_from_the_referral_page(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Any pets?")
    client = client_for(world.hv)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Any pets?" in page and "Answer this question" in page
    client.post(
        f"/referrals/{referral.reference}/questions/{info.pk}/answer/", {"answer": "A dog."}
    )
    assert InformationRequest.objects.get(pk=info.pk).answer == "A dog."
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "A dog." in page


@pytest.mark.parametrize(
    ("path", "persona"), [("ask", "hv"), ("decide", "hv"), ("challenge", "mash")]
)
def test_triage_pages_check_who_you_are_on_a_post_too(world, path, persona):
    referral = submit(world.hv)
    response = client_for(getattr(world, persona)).post(
        f"/referrals/{referral.reference}/{path}/", {}
    )
    assert response.status_code == 403
    assert "Riverside" not in response.content.decode()


def test_a_referrer_says_a_child_is_at_risk_now_and_a_senior_manager_must_answer(world):
    from tests.conftest import decided

    referral = decided(world)
    hv = client_for(world.hv)
    form = hv.get(f"/referrals/{referral.reference}/challenge/").content.decode()
    assert "Is a child at risk of harm now?" in form
    response = hv.post(
        f"/referrals/{referral.reference}/challenge/",
        {"reasons": "He is back at the house tonight.", "child_at_risk_now": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "A senior manager must answer it within hours" in page
    assert "A child is at risk now" in page and "Open: with senior managers" in page
    challenge = referral.challenges.get()
    assert challenge.child_at_risk_now and challenge.escalation_level == 1


def test_a_challenge_without_the_risk_answer_goes_to_a_front_door_manager(world):
    from tests.conftest import decided

    referral = decided(world)
    client_for(world.hv).post(
        f"/referrals/{referral.reference}/challenge/", {"reasons": "Disagree."}
    )
    challenge = referral.challenges.get()
    assert not challenge.child_at_risk_now and challenge.escalation_level == 0


def test_the_api_raises_an_at_risk_challenge_with_the_same_rules(world):
    from rest_framework.test import APIClient

    from tests.conftest import decided, token_for

    referral = decided(world)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.hv)}")
    base = f"/api/v1/referrals/{referral.reference}"
    bad = api.post(
        f"{base}/challenge/", {"reasons": "x", "child_at_risk_now": "perhaps"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {
        "child_at_risk_now": ["Select whether a child is at risk of harm now"]
    }
    body = api.post(
        f"{base}/challenge/", {"reasons": "Tonight.", "child_at_risk_now": True}, format="json"
    ).json()
    challenge = body["challenges"][0]
    assert challenge["child_at_risk_now"] is True and challenge["with"] == "senior managers"


def test_the_referrer_is_told_a_second_challenge_goes_to_a_senior_manager(world):
    from referrals.services.challenge import answer_challenge, raise_challenge
    from tests.conftest import decided

    referral = decided(world)
    first = raise_challenge(referral=referral, actor=world.hv, reasons="Disagree.")
    answer_challenge(challenge=first, actor=world.manager, outcome="upheld", response="Stands.")
    page = (
        client_for(world.hv)
        .post(
            f"/referrals/{referral.reference}/challenge/",
            {"reasons": "New bruise.", "child_at_risk_now": "no"},
            follow=True,
        )
        .content.decode()
    )
    assert "The decision stood once, so a senior manager must answer it" in page
    assert "Open: with senior managers" in page
