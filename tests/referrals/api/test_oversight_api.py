"""Proposing, endorsing and sending back a decision through the API: the
same rules as the pages, 4xx with field errors, nothing shown to the
referrer's side before the decision is final."""

from __future__ import annotations

from notifications.models import Notification
from referrals.models import DecisionProposal, Status
from tests.conftest import submit
from tests.referrals.api.test_api import api_for

THREE_WEEKS_OLD = {"date_of_birth": "2026-11-04"}


def proposed(world):
    referral = submit(world.hv, urgency="urgent", child=THREE_WEEKS_OLD)
    response = api_for(world.mash).post(
        f"/api/v1/referrals/{referral.reference}/decide/",
        {"decision": "nfa", "reasons": "Explained injury."},
        format="json",
    )
    assert response.status_code == 200, response.content
    return referral, response.json()


def sign_off(user, referral, proposal_id, body):
    return api_for(user).post(
        f"/api/v1/referrals/{referral.reference}/proposed-decisions/{proposal_id}/sign-off/",
        body,
        format="json",
    )


def test_a_closing_decision_on_a_high_risk_referral_comes_back_as_a_proposal(world):
    referral, body = proposed(world)
    assert body["status"] == Status.ACKNOWLEDGED and body["decision"] is None
    [proposal] = body["proposed_decisions"]
    assert proposal["open"] is True and proposal["decision"] == "nfa"
    assert proposal["high_risk_because"] == "a child under one; urgent"
    referrer_view = api_for(world.hv).get(f"/api/v1/referrals/{referral.reference}/").json()
    assert referrer_view["proposed_decisions"] == [] and referrer_view["decision"] is None


def test_sending_back_without_reasons_is_a_400_with_the_field(world):
    referral, body = proposed(world)
    response = sign_off(
        world.manager, referral, body["proposed_decisions"][0]["id"], {"outcome": "send_back"}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"reasons": ["Enter why you are sending the decision back"]}
    bad = sign_off(world.manager, referral, body["proposed_decisions"][0]["id"], {"outcome": "x"})
    assert bad.status_code == 400 and "outcome" in bad.json()["fields"]


def test_a_manager_endorses_through_the_api_and_the_referrer_is_told(world):
    referral, body = proposed(world)
    response = sign_off(
        world.manager, referral, body["proposed_decisions"][0]["id"], {"outcome": "endorse"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.DECIDED
    assert response.json()["proposed_decisions"][0]["outcome"] == "endorsed"
    assert Notification.objects.filter(referral=referral, purpose="outcome").count() == 1


def test_a_manager_sends_back_through_the_api(world):
    referral, body = proposed(world)
    response = sign_off(
        world.manager,
        referral,
        body["proposed_decisions"][0]["id"],
        {"outcome": "send_back", "reasons": "Needs a strategy discussion."},
    )
    assert response.status_code == 200
    assert response.json()["proposed_decisions"][0]["sign_off_reasons"] == (
        "Needs a strategy discussion."
    )
    assert response.json()["status"] == Status.ACKNOWLEDGED


def test_the_proposer_cannot_sign_off_their_own_through_the_api(world):
    referral = submit(world.hv, urgency="urgent", child=THREE_WEEKS_OLD)
    api_for(world.manager).post(
        f"/api/v1/referrals/{referral.reference}/decide/",
        {"decision": "advice", "reasons": "Explained."},
        format="json",
    )
    proposal = DecisionProposal.objects.get(referral=referral)
    response = sign_off(world.manager, referral, proposal.pk, {"outcome": "endorse"})
    assert response.status_code == 409
    assert "another manager" in response.json()["message"]


def test_practitioners_and_referrers_cannot_sign_off(world):
    referral, body = proposed(world)
    proposal_id = body["proposed_decisions"][0]["id"]
    assert sign_off(world.mash, referral, proposal_id, {"outcome": "endorse"}).status_code == 403
    assert sign_off(world.hv, referral, proposal_id, {"outcome": "endorse"}).status_code in (
        403,
        404,
    )
    assert (
        sign_off(world.outsider, referral, proposal_id, {"outcome": "endorse"}).status_code == 404
    )
    assert DecisionProposal.objects.get(pk=proposal_id).is_open
