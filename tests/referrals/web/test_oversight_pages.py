"""The oversight pages: Decisions to check, and signing off a proposed
decision, with GOV.UK errors, for managers only, without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest

from agencies.models import Role
from audit.models import AuditEvent
from notifications.models import Notification
from referrals.models import DecisionProposal, Status
from referrals.services.decision import decide_referral
from tests.conftest import WEDNESDAY_10AM, client_for, make_user, submit

THREE_WEEKS_OLD = {"date_of_birth": "2026-11-04"}


def proposed(world, *, minutes=20, actor=None):
    referral = submit(
        world.hv,
        now=WEDNESDAY_10AM + dt.timedelta(minutes=minutes),
        urgency="urgent",
        child=THREE_WEEKS_OLD,
    )
    proposal = decide_referral(
        referral=referral,
        actor=actor or world.mash,
        decision="advice",
        reasons="Bruise explained by the mother.",
        next_steps="",
        next_steps_owner="",
        now=WEDNESDAY_10AM + dt.timedelta(minutes=minutes + 10),
    )
    assert proposal is not None
    return proposal


def sign_off_url(proposal):
    return f"/referrals/{proposal.referral.reference}/proposed-decisions/{proposal.pk}/sign-off/"


def test_the_decision_page_says_when_a_decision_will_need_sign_off(world):
    referral = submit(world.hv, urgency="urgent", child=THREE_WEEKS_OLD)
    client = client_for(world.mash)
    html = client.get(f"/referrals/{referral.reference}/decide/").content.decode()
    assert "This referral is high-risk (a child under one; urgent)" in html
    response = client.post(
        f"/referrals/{referral.reference}/decide/",
        {"decision": "advice", "reasons": "Explained."},
        follow=True,
    )
    html = response.content.decode()
    assert "Decision proposed. A front-door manager must endorse it" in html
    assert "Decision waiting for a manager" in html
    assert "Record the decision</a>" not in html  # nobody decides again meanwhile


def test_managers_see_decisions_to_check_oldest_first(world):
    later = proposed(world, minutes=40)
    earlier = proposed(world, minutes=5)
    response = client_for(world.manager).get("/front-door/decisions-to-check/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(earlier.referral.reference) < html.index(later.referral.reference)
    assert sign_off_url(earlier) in html
    assert AuditEvent.objects.filter(
        actor=world.manager, action="listed", object_type="decisions_to_check"
    ).exists()


def test_a_manager_does_not_get_a_sign_off_link_for_their_own_proposal(world):
    own = proposed(world, actor=world.manager)
    html = client_for(world.manager).get("/front-door/decisions-to-check/").content.decode()
    assert own.referral.reference in html and "(you)" in html
    assert sign_off_url(own) not in html


@pytest.mark.parametrize("persona", ["mash", "hv", "admin"])
def test_only_managers_open_decisions_to_check(world, persona):
    proposed(world)
    assert (
        client_for(getattr(world, persona)).get("/front-door/decisions-to-check/").status_code
        == 403
    )


def test_another_front_doors_manager_sees_none_of_ours(world):
    proposal = proposed(world)
    other = make_user("other.manager", agency=world.other_front_door, role=Role.MANAGER)
    html = client_for(other).get("/front-door/decisions-to-check/").content.decode()
    assert proposal.referral.reference not in html
    assert client_for(other).get(sign_off_url(proposal)).status_code == 404


def test_sending_back_without_reasons_shows_a_govuk_error_and_keeps_the_choice(world):
    proposal = proposed(world)
    response = client_for(world.manager).post(
        sign_off_url(proposal), {"outcome": "send_back", "reasons": "   "}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign off the proposed decision - Front Door</title>" in html
    assert 'href="#id_reasons">Enter why you are sending the decision back</a>' in html
    assert 'value="send_back" checked' in html  # what was chosen is kept
    proposal.refresh_from_db()
    assert proposal.is_open


def test_choosing_nothing_shows_a_govuk_error(world):
    proposal = proposed(world)
    html = client_for(world.manager).post(sign_off_url(proposal), {}).content.decode()
    assert "Select whether you endorse the decision or send it back" in html


def test_a_manager_sends_a_decision_back_and_the_referral_page_says_who_and_why(world):
    proposal = proposed(world)
    response = client_for(world.manager).post(
        sign_off_url(proposal),
        {"outcome": "send_back", "reasons": "Bruising on a baby: hold a strategy discussion."},
        follow=True,
    )
    html = response.content.decode()
    assert "Decision sent back" in html
    assert "Why it was sent back" in html and "hold a strategy discussion" in html
    proposal.referral.refresh_from_db()
    assert proposal.referral.status == Status.ACKNOWLEDGED
    referrer_page = client_for(world.hv).get(f"/referrals/{proposal.referral.reference}/")
    assert "strategy discussion" not in referrer_page.content.decode()


def test_a_manager_endorses_a_decision_and_the_referrer_is_sent_the_outcome(world):
    proposal = proposed(world)
    response = client_for(world.manager).post(
        sign_off_url(proposal), {"outcome": "endorse", "reasons": ""}, follow=True
    )
    assert "Decision endorsed" in response.content.decode()
    referral = proposal.referral
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert Notification.objects.filter(referral=referral, purpose="outcome").count() == 1
    referrer_page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Advice and information given" in referrer_page


def test_the_proposer_is_told_another_manager_must_sign_off(world):
    proposal = proposed(world, actor=world.manager)
    client = client_for(world.manager)
    assert "another manager must sign it off" in client.get(sign_off_url(proposal)).content.decode()
    html = client.post(sign_off_url(proposal), {"outcome": "endorse"}).content.decode()
    assert "another manager must sign it off" in html
    assert DecisionProposal.objects.get(pk=proposal.pk).is_open


@pytest.mark.parametrize("persona", ["mash", "hv", "admin"])
def test_only_managers_post_a_sign_off(world, persona):
    proposal = proposed(world)
    response = client_for(getattr(world, persona)).post(
        sign_off_url(proposal), {"outcome": "endorse"}
    )
    assert response.status_code in (403, 404)
    assert DecisionProposal.objects.get(pk=proposal.pk).is_open


def test_a_proposal_on_another_referral_is_not_found(world):
    proposal = proposed(world)
    other = submit(world.hv)
    url = f"/referrals/{other.reference}/proposed-decisions/{proposal.pk}/sign-off/"
    assert client_for(world.manager).get(url).status_code == 404
