"""Assigning, asking and answering: who may do what, and what the referrer is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.common import NotAllowedNow
from referrals.services.triage import (
    answer_information_request,
    assign_referral,
    request_information,
)
from tests.conftest import WEDNESDAY_10AM, client_for, submit

# --- assigning -------------------------------------------------------------------


def test_a_worker_takes_a_referral_and_a_manager_assigns_one(world):
    referral = submit(world.hv)
    assign_referral(referral=referral, actor=world.mash, assignee=world.mash)
    referral.refresh_from_db()
    assert referral.assigned_to == world.mash
    event = referral.events.last()
    assert event is not None and event.summary == "Taken by Maya Ashworth"
    assign_referral(referral=referral, actor=world.manager, assignee=world.mash)
    assert Notification.objects.filter(
        referral=referral, purpose="assigned", to_address=world.mash.email
    ).exists()


def test_a_referral_cannot_be_assigned_to_someone_outside_the_front_door(world):
    referral = submit(world.hv)
    with pytest.raises(ValidationError):
        assign_referral(referral=referral, actor=world.manager, assignee=world.outsider)
    with pytest.raises(PermissionDenied):
        assign_referral(referral=referral, actor=world.hv, assignee=world.hv)


# --- asking for more ----------------------------------------------------------------


def test_the_front_door_asks_and_the_referrer_answers_in_the_portal(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    info = request_information(
        referral=referral,
        actor=world.mash,
        question="Who else lives there?",
        now=WEDNESDAY_10AM + dt.timedelta(hours=1),
    )
    assert info.due_by == dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)  # one working day
    assert Notification.objects.filter(
        referral=referral, purpose="information_request", to_address=world.hv.email
    ).exists()
    answer_information_request(info=info, actor=world.hv, answer="Her brother, 19.")
    info.refresh_from_db()
    assert not info.is_open and info.answer == "Her brother, 19."
    assert Notification.objects.filter(
        referral=referral, purpose="information_given", to_address=world.mash.email
    ).exists()
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
    acknowledge_referral(
        referral=referral, actor=world.mash, now=WEDNESDAY_10AM + dt.timedelta(minutes=5)
    )
    request_information(
        referral=referral,
        actor=world.mash,
        question="Who else lives there?",
        now=WEDNESDAY_10AM + dt.timedelta(hours=1),
    )
    for _ in range(3):
        escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    escalation = referral.escalations.get(rule="information_unanswered")
    assert escalation.level == 1
    told = {
        n.to_address
        for n in Notification.objects.filter(referral=referral, purpose="escalation")
        if "request for information" in n.subject
    }
    assert told == {world.hv.email, world.manager.email}


# --- deciding -----------------------------------------------------------------------------


# --- challenging ------------------------------------------------------------------------------


# --- the pages -----------------------------------------------------------------------------


# --- asking another agency -------------------------------------------------------------


def test_the_front_door_asks_another_partner_agency_which_sees_only_the_question(world):
    from agencies.models import Role
    from tests.conftest import make_user

    gp_lead = make_user("gp.lead", agency=world.agency_b, role=Role.AGENCY_LEAD)
    referral = submit(world.hv)
    info = request_information(
        referral=referral,
        actor=world.mash,
        question="When was Leo last seen?",
        to_agency=world.agency_b,
    )
    assert info.asked_of == "Riverside GP Practice"
    told = {
        n.to_address
        for n in Notification.objects.filter(referral=referral, purpose="information_request")
    }
    assert told == {gp_lead.email}  # the agency's safeguarding lead
    lead = client_for(gp_lead)
    # The lead answers the question but does not see the whole referral.
    assert lead.get(f"/referrals/{referral.reference}/").status_code == 404
    listing = lead.get("/questions/").content.decode()
    assert "Leo Marsh" in listing and referral.reference in listing
    page = lead.get(f"/questions/{info.pk}/").content.decode()
    assert "When was Leo last seen?" in page and "Healed burn" not in page
    lead.post(f"/questions/{info.pk}/", {"answer": "Seen 3 weeks ago for a cough."})
    info.refresh_from_db()
    assert info.answer == "Seen 3 weeks ago for a cough." and info.answered_by == gp_lead
    event = referral.events.last()
    assert event is not None and "(Riverside GP Practice) answered" in event.summary


def test_the_referrer_cannot_answer_a_question_put_to_another_agency_and_strangers_get_404(world):
    referral = submit(world.hv)
    info = request_information(
        referral=referral, actor=world.mash, question="Q?", to_agency=world.agency_b
    )
    with pytest.raises(PermissionDenied):
        answer_information_request(info=info, actor=world.hv, answer="me")
    assert client_for(world.hv).get(f"/questions/{info.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/questions/{info.pk}/").status_code == 404


def test_only_partner_agencies_of_the_front_door_can_be_asked(world):
    from agencies.models import Agency

    elsewhere = Agency.objects.create(
        name="Southport School", kind="school", front_door=world.other_front_door
    )
    with pytest.raises(ValidationError):
        request_information(
            referral=submit(world.hv), actor=world.mash, question="Q?", to_agency=elsewhere
        )


def test_an_unanswered_question_to_an_agency_reminds_that_agency_not_the_referrer(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    request_information(
        referral=referral,
        actor=world.mash,
        question="Q?",
        to_agency=world.agency_b,
        now=WEDNESDAY_10AM + dt.timedelta(hours=1),
    )
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    told = {
        n.to_address
        for n in Notification.objects.filter(referral=referral, purpose="escalation")
        if "request for information" in n.subject
    }
    assert told == {world.gp.email, world.manager.email}


def test_a_question_to_an_agency_with_a_lead_is_seen_by_the_lead_not_every_referrer(world):
    from agencies.models import Role
    from referrals.selectors.access import questions_for
    from tests.conftest import make_user

    make_user("lead.gp", agency=world.agency_b, role=Role.AGENCY_LEAD)
    referral = submit(world.hv)
    request_information(
        referral=referral, actor=world.mash, question="Seen recently?", to_agency=world.agency_b
    )
    assert questions_for(world.gp) == []
    assert client_for(world.gp).get("/questions/").content.decode().count(referral.reference) == 0
    lead = type(world.gp).objects.get(username="lead.gp")
    assert [q.referral_id for q in questions_for(lead)] == [referral.pk]


def test_a_question_to_an_agency_without_a_lead_goes_to_its_referrers(world):
    from referrals.selectors.access import questions_for

    referral = submit(world.hv)
    request_information(
        referral=referral, actor=world.mash, question="Seen recently?", to_agency=world.agency_b
    )
    assert [q.referral_id for q in questions_for(world.gp)] == [referral.pk]


def test_a_question_on_an_urgent_referral_is_due_in_hours_not_the_next_working_day(world):
    friday_evening = dt.datetime(2026, 11, 27, 18, 30, tzinfo=dt.UTC)
    referral = submit(world.hv, now=friday_evening, urgency="urgent")
    info = request_information(
        referral=referral, actor=world.mash, question="Is he at home tonight?", now=friday_evening
    )
    assert info.due_by == friday_evening + dt.timedelta(hours=4)  # the policy's default
    world.front_door.deadline_policy.urgent_information_request_within_hours = 1
    world.front_door.deadline_policy.save()
    again = request_information(
        referral=referral, actor=world.mash, question="And the baby?", now=friday_evening
    )
    assert again.due_by == friday_evening + dt.timedelta(hours=1)
