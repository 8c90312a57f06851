"""Manager oversight of decisions: a closing decision on a high-risk referral
is a proposal until a manager other than the proposer endorses it or sends it
back; the referrer is told only a final decision; an unsigned proposal
escalates to senior managers once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AuditEvent
from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import DecisionProposal, Escalation, SignOffPolicy, Status
from referrals.services.common import NotAllowedNow
from referrals.services.decision import decide_referral
from referrals.services.oversight import endorse_decision, send_back_decision
from tests.conftest import WEDNESDAY_10AM, client_for, submit

# A three-week-old on WEDNESDAY_10AM.
THREE_WEEKS_OLD = {"date_of_birth": "2026-11-04"}
PROPOSED_AT = WEDNESDAY_10AM + dt.timedelta(minutes=20)


def urgent_baby(world, **overrides):
    return submit(
        world.hv, now=WEDNESDAY_10AM, urgency="urgent", child=THREE_WEEKS_OLD, **overrides
    )


def propose(world, referral, *, actor=None, decision="advice", now=PROPOSED_AT):
    return decide_referral(
        referral=referral,
        actor=actor or world.mash,
        decision=decision,
        reasons="Bruise explained by the mother as from a car seat.",
        next_steps="Health visitor to review in a week",
        next_steps_owner="Health visiting",
        now=now,
    )


def outcomes(referral):
    return Notification.objects.filter(referral=referral, purpose="outcome")


def test_advice_on_an_urgent_referral_about_a_baby_is_only_proposed(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    referral.refresh_from_db()
    assert proposal is not None and proposal.is_open
    assert referral.status == Status.ACKNOWLEDGED and referral.decision == ""
    assert proposal.high_risk_because == "a child under one; urgent"
    assert proposal.due_by == PROPOSED_AT + dt.timedelta(hours=1)  # urgent: on the clock
    assert not outcomes(referral).exists()
    assert AuditEvent.objects.filter(
        action="decision_proposed", object_ref=referral.reference
    ).exists()


def test_the_referrer_sees_no_outcome_and_no_proposal_until_it_is_endorsed(world):
    referral = urgent_baby(world)
    propose(world, referral)
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "car seat" not in page and "Advice and information" not in page
    assert "sign-off" not in page.lower() and "proposed" not in page.lower()
    front_door_page = client_for(world.mash).get(f"/referrals/{referral.reference}/")
    assert "Decision waiting for a manager" in front_door_page.content.decode()


def test_a_standard_referral_about_an_older_child_is_decided_at_once(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    assert propose(world, referral) is None
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED and outcomes(referral).count() == 1


def test_an_assessment_on_a_high_risk_referral_is_final_at_once(world):
    referral = urgent_baby(world)
    assert propose(world, referral, decision="assessment") is None
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED


def test_a_front_door_that_leaves_out_urgent_and_under_one_decides_at_once(world):
    SignOffPolicy.objects.create(front_door=world.front_door, urgent=False, under_one=False)
    referral = urgent_baby(world)
    assert propose(world, referral) is None


def test_the_front_doors_sign_off_rules_keep_their_history(world):
    policy = SignOffPolicy.objects.create(front_door=world.front_door)
    policy.urgent = False
    policy.save()
    assert [h.urgent for h in policy.history.order_by("history_date")] == [True, False]


def test_endorsement_makes_the_decision_final_and_tells_the_referrer_once(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    endorse_decision(
        proposal=proposal,
        actor=world.manager,
        comments="Agreed.",
        now=PROPOSED_AT + dt.timedelta(minutes=30),
    )
    referral.refresh_from_db()
    proposal.refresh_from_db()
    assert referral.status == Status.DECIDED and referral.decision == "advice"
    assert referral.decided_by == world.mash  # the practitioner's decision, endorsed
    assert referral.outcome_sent_at == PROPOSED_AT + dt.timedelta(minutes=30)
    assert outcomes(referral).count() == 1
    assert (proposal.outcome, proposal.signed_off_by, proposal.is_open) == (
        "endorsed",
        world.manager,
        False,
    )
    assert "endorsed by" in referral.events.get(kind="decided").summary
    assert AuditEvent.objects.filter(action="decision_endorsed", actor=world.manager).exists()
    assert list(proposal.history.order_by("history_id").values_list("is_open", flat=True)) == [
        True,
        False,
    ]


def test_the_proposer_cannot_endorse_their_own_decision(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral, actor=world.manager)
    with pytest.raises(NotAllowedNow, match="another manager"):
        endorse_decision(proposal=proposal, actor=world.manager)
    with pytest.raises(NotAllowedNow, match="another manager"):
        send_back_decision(proposal=proposal, actor=world.manager, reasons="Changed my mind")
    endorse_decision(proposal=proposal, actor=world.senior)
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED


@pytest.mark.parametrize("persona", ["mash", "hv", "lead_a", "admin", "outsider"])
def test_only_the_front_doors_managers_sign_off(world, persona):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    with pytest.raises(PermissionDenied):
        endorse_decision(proposal=proposal, actor=getattr(world, persona))
    with pytest.raises(PermissionDenied):
        send_back_decision(proposal=proposal, actor=getattr(world, persona), reasons="No")


def test_a_decision_is_signed_off_once(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    endorse_decision(proposal=proposal, actor=world.manager)
    with pytest.raises(NotAllowedNow, match="already been signed off"):
        send_back_decision(proposal=proposal, actor=world.senior, reasons="Too late")
    assert outcomes(referral).count() == 1


def test_nobody_decides_again_while_a_proposal_waits(world):
    referral = urgent_baby(world)
    propose(world, referral)
    with pytest.raises(NotAllowedNow, match="waiting for a manager"):
        propose(world, referral, decision="assessment", actor=world.manager)


def test_sending_back_needs_reasons(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    with pytest.raises(ValidationError) as error:
        send_back_decision(proposal=proposal, actor=world.manager, reasons="  ")
    assert error.value.message_dict == {"reasons": ["Enter why you are sending the decision back"]}
    proposal.refresh_from_db()
    assert proposal.is_open


def test_a_decision_sent_back_reopens_the_referral_for_a_new_one_on_urgent_deadlines(world):
    referral = urgent_baby(world)
    proposal = propose(world, referral)
    returned_at = PROPOSED_AT + dt.timedelta(minutes=30)
    send_back_decision(
        proposal=proposal,
        actor=world.manager,
        reasons="A bruise on a non-mobile baby needs a strategy discussion.",
        now=returned_at,
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED and not outcomes(referral).exists()
    assert referral.decide_by == returned_at + dt.timedelta(hours=4)  # urgent decision rule
    assert referral.clock.decide_open
    assert "strategy discussion" in referral.events.get(kind="decision_returned").summary
    # The practitioner decides again; the new decision needs no sign-off.
    assert (
        propose(
            world,
            referral,
            decision="strategy_discussion",
            now=returned_at + dt.timedelta(minutes=5),
        )
        is None
    )
    referral.refresh_from_db()
    assert referral.decision == "strategy_discussion" and outcomes(referral).count() == 1


def test_a_proposal_stops_the_no_decision_ladder_and_starts_the_sign_off_one(world):
    referral = urgent_baby(world)
    propose(world, referral)
    # Long after both the decision deadline and the sign-off deadline.
    escalate_overdue_referrals(now=WEDNESDAY_10AM + dt.timedelta(hours=10))
    escalate_overdue_referrals(now=WEDNESDAY_10AM + dt.timedelta(hours=11))
    assert list(referral.escalations.values_list("rule", "level")) == [("sign_off_overdue", 1)]
    told = Notification.objects.filter(purpose="escalation", body__contains=referral.reference)
    assert list(told.values_list("to_address", "subject")) == [
        (world.senior.email, f"Escalation: {referral.reference} decision not signed off in time")
    ]
    assert DecisionProposal.objects.get(referral=referral).escalation_level == 1


def test_nothing_escalates_before_the_sign_off_deadline(world):
    referral = urgent_baby(world)
    propose(world, referral)
    escalate_overdue_referrals(now=PROPOSED_AT + dt.timedelta(minutes=59))
    assert not referral.escalations.exists()
    escalate_overdue_referrals(now=PROPOSED_AT + dt.timedelta(minutes=60))
    assert list(referral.escalations.values_list("rule", flat=True)) == ["sign_off_overdue"]


def test_an_escalated_proposal_is_not_shown_to_the_referrer(world):
    referral = urgent_baby(world)
    propose(world, referral)
    escalate_overdue_referrals(now=PROPOSED_AT + dt.timedelta(hours=2))
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "signed off" not in page and "sign_off" not in page


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_unsigned_proposal_once(world):
    proposals = []
    for i in range(12):
        referral = submit(
            world.hv,
            now=WEDNESDAY_10AM + dt.timedelta(seconds=i),
            urgency="urgent",
            child=THREE_WEEKS_OLD,
        )
        proposals.append(propose(world, referral))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            escalate_overdue_referrals(now=PROPOSED_AT + dt.timedelta(hours=3), batch_size=3)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for proposal in proposals:
        assert list(
            Escalation.objects.filter(
                referral_id=proposal.referral_id, rule="sign_off_overdue"
            ).values_list("level", "subject_id")
        ) == [(1, proposal.pk)]
    bodies = "".join(
        Notification.objects.filter(
            purpose="escalation", to_address=world.senior.email
        ).values_list("body", flat=True)
    )
    for proposal in proposals:
        reference = proposal.referral.reference
        assert bodies.count(f"- {reference} ") + bodies.count(f"{reference}: ") == 1
