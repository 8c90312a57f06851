"""Triage and closing the loop: who may do what, and what the referrer is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.models import Notification
from referrals.escalations import escalate_overdue_referrals
from referrals.models import Challenge, InformationRequest, Status
from referrals.services import acknowledge_referral
from referrals.triage import (
    NotAllowedNow,
    answer_challenge,
    answer_information_request,
    assign_referral,
    decide_referral,
    raise_challenge,
    request_information,
)
from tests.conftest import client_for, submit

WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def decided(world, **kwargs):
    referral = submit(world.hv, now=kwargs.pop("now", WEDNESDAY_10AM))
    decide_referral(referral=referral, actor=world.mash, decision="nfa", reasons="Below threshold.",
                    next_steps="", next_steps_owner="", now=WEDNESDAY_10AM + dt.timedelta(hours=2))
    referral.refresh_from_db()
    return referral


# --- assigning -------------------------------------------------------------------

def test_a_worker_takes_a_referral_and_a_manager_assigns_one(world):
    referral = submit(world.hv)
    assign_referral(referral=referral, actor=world.mash, assignee=world.mash)
    referral.refresh_from_db()
    assert referral.assigned_to == world.mash
    assert referral.events.last().summary == "Taken by Maya Ashworth"
    assign_referral(referral=referral, actor=world.manager, assignee=world.mash)
    assert Notification.objects.filter(referral=referral, purpose="assigned", to_address=world.mash.email).exists()


def test_a_referral_cannot_be_assigned_to_someone_outside_the_front_door(world):
    referral = submit(world.hv)
    with pytest.raises(ValidationError):
        assign_referral(referral=referral, actor=world.manager, assignee=world.outsider)
    with pytest.raises(PermissionDenied):
        assign_referral(referral=referral, actor=world.hv, assignee=world.hv)


# --- asking for more ----------------------------------------------------------------

def test_the_front_door_asks_and_the_referrer_answers_in_the_portal(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    info = request_information(referral=referral, actor=world.mash, question="Who else lives there?",
                               now=WEDNESDAY_10AM + dt.timedelta(hours=1))
    assert info.due_by == dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)  # one working day
    assert Notification.objects.filter(referral=referral, purpose="information_request", to_address=world.hv.email).exists()
    answer_information_request(info=info, actor=world.hv, answer="Her brother, 19.")
    info.refresh_from_db()
    assert not info.is_open and info.answer == "Her brother, 19."
    assert Notification.objects.filter(referral=referral, purpose="information_given", to_address=world.mash.email).exists()
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["information_requested", "information_given"]


def test_the_agency_lead_may_answer_but_another_agency_may_not(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Any siblings?")
    with pytest.raises(PermissionDenied):
        answer_information_request(info=info, actor=world.gp, answer="No")
    answer_information_request(info=info, actor=world.lead_a, answer="Two, both at school.")
    with pytest.raises(NotAllowedNow):
        answer_information_request(info=info, actor=world.hv, answer="again")


def test_an_unanswered_question_reminds_the_referrer_and_tells_managers_once(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    acknowledge_referral(referral=referral, actor=world.mash, now=WEDNESDAY_10AM + dt.timedelta(minutes=5))
    request_information(referral=referral, actor=world.mash, question="Who else lives there?",
                        now=WEDNESDAY_10AM + dt.timedelta(hours=1))
    for _ in range(3):
        escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    escalation = referral.escalations.get(rule="information_unanswered")
    assert escalation.level == 1
    told = {n.to_address for n in Notification.objects.filter(referral=referral, purpose="escalation")
            if "request for information" in n.subject}
    assert told == {world.hv.email, world.manager.email}


# --- deciding -----------------------------------------------------------------------------

def test_a_decision_with_reasons_sends_the_outcome_to_the_referrer_at_once(world):
    referral = submit(world.hv)
    decide_referral(referral=referral, actor=world.mash, decision="assessment",
                    reasons="Repeated unexplained injuries.", next_steps="Visit within 5 days",
                    next_steps_owner="Assessment team")
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert referral.acknowledged_by == world.mash  # deciding acknowledges too
    assert referral.outcome_sent_at == referral.decided_at
    outcome = Notification.objects.get(referral=referral, purpose="outcome")
    assert outcome.to_address == world.hv.email
    assert "child and family assessment (section 17)" in outcome.body
    assert "Repeated" not in outcome.body  # reasons stay in the portal
    assert list(referral.events.values_list("kind", flat=True))[-2:] == ["decided", "outcome_sent"]
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Repeated unexplained injuries." in page and "Challenge this decision" in page


def test_a_referral_is_decided_once(world):
    referral = submit(world.hv)
    decide_referral(referral=referral, actor=world.mash, decision="nfa", reasons="x", next_steps="", next_steps_owner="")
    with pytest.raises(NotAllowedNow):
        decide_referral(referral=referral, actor=world.manager, decision="early_help", reasons="y",
                        next_steps="", next_steps_owner="")


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "senior", "admin", "outsider"])
def test_only_practitioners_and_managers_of_the_front_door_decide(world, persona):
    referral = submit(world.hv)
    with pytest.raises(PermissionDenied):
        decide_referral(referral=referral, actor=getattr(world, persona), decision="nfa", reasons="x",
                        next_steps="", next_steps_owner="")


def test_no_decision_in_time_escalates_to_managers_then_seniors_once_each(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    acknowledge_referral(referral=referral, actor=world.mash, now=WEDNESDAY_10AM + dt.timedelta(minutes=5))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 11, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC))
    assert list(referral.escalations.values_list("rule", "level")) == [("not_decided", 1), ("not_decided", 2)]


# --- challenging ------------------------------------------------------------------------------

def test_a_referrer_challenges_and_a_manager_answers(world):
    referral = decided(world)
    challenge = raise_challenge(referral=referral, actor=world.hv, reasons="Third injury this year.",
                                now=WEDNESDAY_10AM + dt.timedelta(hours=3))
    assert challenge.step_one_due == dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)  # 2 working days
    assert challenge.step_two_due == dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
    assert Notification.objects.filter(referral=referral, purpose="challenge", to_address=world.manager.email).exists()
    with pytest.raises(NotAllowedNow):
        raise_challenge(referral=referral, actor=world.lead_a, reasons="again")
    answer_challenge(challenge=challenge, actor=world.manager, outcome="changed", response="Agreed: reopening.")
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED  # open for a new decision
    assert Notification.objects.filter(referral=referral, purpose="challenge_answered", to_address=world.hv.email).exists()


def test_an_unanswered_challenge_goes_to_senior_managers_then_is_flagged_again(world):
    referral = decided(world)
    challenge = raise_challenge(referral=referral, actor=world.hv, reasons="Disagree.",
                                now=WEDNESDAY_10AM + dt.timedelta(hours=3))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 17, 1, tzinfo=dt.UTC))
    challenge.refresh_from_db()
    assert challenge.escalation_level == 1 and challenge.with_whom == "senior managers"
    # Once with senior managers, a front-door manager can no longer close it.
    with pytest.raises(PermissionDenied):
        answer_challenge(challenge=challenge, actor=world.manager, outcome="upheld", response="No.")
    escalate_overdue_referrals(now=dt.datetime(2026, 12, 1, 17, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    assert list(referral.escalations.filter(rule="challenge_unresolved").values_list("level", flat=True)) == [1, 2]
    answer_challenge(challenge=challenge, actor=world.senior, outcome="upheld", response="The decision stands because...")
    assert not Challenge.objects.get(pk=challenge.pk).is_open


def test_only_the_referrers_side_can_challenge_and_only_once_decided(world):
    referral = submit(world.hv)
    with pytest.raises(NotAllowedNow):
        raise_challenge(referral=referral, actor=world.hv, reasons="Too early")
    referral = decided(world)
    for persona in ("gp", "mash", "outsider"):
        with pytest.raises(PermissionDenied):
            raise_challenge(referral=referral, actor=getattr(world, persona), reasons="x")


# --- the pages -----------------------------------------------------------------------------

def test_deciding_through_the_page_shows_errors_in_govuk_style(world):
    referral = submit(world.hv)
    client = client_for(world.mash)
    response = client.post(f"/referrals/{referral.reference}/decide/", {})
    html = response.content.decode()
    assert "<title>Error: Record the decision - Front Door</title>" in html
    assert 'href="#id_decision">Select a decision</a>' in html
    assert 'href="#id_reasons">Enter the reasons for the decision</a>' in html
    response = client.post(f"/referrals/{referral.reference}/decide/",
                           {"decision": "early_help", "reasons": "Family agree to support."}, follow=True)
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
    client.post(f"/referrals/{referral.reference}/questions/{info.pk}/answer/", {"answer": "A dog."})
    assert InformationRequest.objects.get(pk=info.pk).answer == "A dog."
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "A dog." in page


def test_the_queue_filters_by_assignment_and_pathway(world):
    mine = submit(world.hv)
    other = submit(world.gp)
    assign_referral(referral=mine, actor=world.mash, assignee=world.mash)
    client = client_for(world.mash)
    page = client.get("/front-door/queue/?assigned=me").content.decode()
    assert mine.reference in page and other.reference not in page
    page = client.get("/front-door/queue/?assigned=nobody").content.decode()
    assert other.reference in page and mine.reference not in page
    page = client.get(f"/front-door/queue/?agency={world.agency_b.pk}").content.decode()
    assert other.reference in page and mine.reference not in page
    assert "due in" in page or "overdue by" in page
    assert client.get("/front-door/queue/?assigned=<script>&agency=x").status_code == 200


# --- asking another agency -------------------------------------------------------------

def test_the_front_door_asks_another_partner_agency_which_sees_only_the_question(world):
    from agencies.models import Role
    from tests.conftest import make_user

    gp_lead = make_user("gp.lead", agency=world.agency_b, role=Role.AGENCY_LEAD)
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="When was Leo last seen?",
                               to_agency=world.agency_b)
    assert info.asked_of == "Riverside GP Practice"
    told = {n.to_address for n in Notification.objects.filter(referral=referral, purpose="information_request")}
    assert told == {gp_lead.email}  # the agency's safeguarding lead
    gp = client_for(world.gp)
    assert gp.get(f"/referrals/{referral.reference}/").status_code == 404  # not the whole referral
    listing = gp.get("/questions/").content.decode()
    assert "Leo Marsh" in listing and referral.reference in listing
    page = gp.get(f"/questions/{info.pk}/").content.decode()
    assert "When was Leo last seen?" in page and "Healed burn" not in page
    gp.post(f"/questions/{info.pk}/", {"answer": "Seen 3 weeks ago for a cough."})
    info.refresh_from_db()
    assert info.answer == "Seen 3 weeks ago for a cough." and info.answered_by == world.gp
    assert "(Riverside GP Practice) answered" in referral.events.last().summary


def test_the_referrer_cannot_answer_a_question_put_to_another_agency_and_strangers_get_404(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Q?", to_agency=world.agency_b)
    with pytest.raises(PermissionDenied):
        answer_information_request(info=info, actor=world.hv, answer="me")
    assert client_for(world.hv).get(f"/questions/{info.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/questions/{info.pk}/").status_code == 404


def test_only_partner_agencies_of_the_front_door_can_be_asked(world):
    from agencies.models import Agency

    elsewhere = Agency.objects.create(name="Southport School", kind="school", front_door=world.other_front_door)
    with pytest.raises(ValidationError):
        request_information(referral=submit(world.hv), actor=world.mash, question="Q?", to_agency=elsewhere)


def test_an_unanswered_question_to_an_agency_reminds_that_agency_not_the_referrer(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    request_information(referral=referral, actor=world.mash, question="Q?", to_agency=world.agency_b,
                        now=WEDNESDAY_10AM + dt.timedelta(hours=1))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    told = {n.to_address for n in Notification.objects.filter(referral=referral, purpose="escalation")
            if "request for information" in n.subject}
    assert told == {world.gp.email, world.manager.email}
