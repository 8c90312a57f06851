"""Deciding a referral: who may, the outcome the referrer is owed, and the
ladder when nobody decides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Status
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.challenge import answer_challenge, raise_challenge
from referrals.services.common import NotAllowedNow
from referrals.services.decision import decide_referral
from tests.conftest import WEDNESDAY_10AM, client_for, decided, submit


def test_a_decision_with_reasons_sends_the_outcome_to_the_referrer_at_once(world):
    referral = submit(world.hv)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="assessment",
        reasons="Repeated unexplained injuries.",
        next_steps="Visit within 5 days",
        next_steps_owner="Assessment team",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert referral.acknowledged_by == world.mash  # deciding acknowledges too
    assert referral.outcome_sent_at == referral.decided_at
    outcome = Notification.objects.get(referral=referral, purpose="outcome")
    assert outcome.to_address == world.hv.email
    assert referral.reference in outcome.body and "assessment" not in outcome.body
    assert "Repeated" not in outcome.body  # reasons stay in the portal
    assert list(referral.events.values_list("kind", flat=True))[-2:] == ["decided", "outcome_sent"]
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Repeated unexplained injuries." in page and "Challenge this decision" in page


def test_a_referral_is_decided_once(world):
    referral = submit(world.hv)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="x",
        next_steps="",
        next_steps_owner="",
    )
    with pytest.raises(NotAllowedNow):
        decide_referral(
            referral=referral,
            actor=world.manager,
            decision="early_help",
            reasons="y",
            next_steps="",
            next_steps_owner="",
        )


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "senior", "admin", "outsider"])
def test_only_practitioners_and_managers_of_the_front_door_decide(world, persona):
    referral = submit(world.hv)
    with pytest.raises(PermissionDenied):
        decide_referral(
            referral=referral,
            actor=getattr(world, persona),
            decision="nfa",
            reasons="x",
            next_steps="",
            next_steps_owner="",
        )


def test_no_decision_in_time_escalates_to_managers_then_seniors_once_each(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    acknowledge_referral(
        referral=referral, actor=world.mash, now=WEDNESDAY_10AM + dt.timedelta(minutes=5)
    )
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 11, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC))
    assert list(referral.escalations.values_list("rule", "level")) == [
        ("not_decided", 1),
        ("not_decided", 2),
    ]


def test_the_history_names_each_decision_in_words_including_a_new_one_after_a_challenge(world):
    referral = decided(world)
    latest = referral.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Decided: No further action"
    challenge = raise_challenge(
        referral=referral,
        actor=world.hv,
        reasons="The bruise was not explained.",
        now=WEDNESDAY_10AM + dt.timedelta(hours=3),
    )
    answer_challenge(
        challenge=challenge,
        actor=world.manager,
        outcome="changed",
        response="We will assess.",
        now=WEDNESDAY_10AM + dt.timedelta(hours=4),
    )
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="assessment",
        reasons="Unexplained bruise.",
        next_steps="",
        next_steps_owner="",
        now=WEDNESDAY_10AM + dt.timedelta(hours=5),
    )
    latest = referral.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Decided: Child and family assessment (section 17)"
    assert latest.decision == "assessment"
