"""Professional challenge: the referrer challenges, a manager answers, and
the sweep escalates silence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Challenge, Status
from referrals.services.challenge import answer_challenge, raise_challenge
from referrals.services.common import NotAllowedNow
from tests.conftest import WEDNESDAY_10AM, decided, submit


def test_a_referrer_challenges_and_a_manager_answers(world):
    referral = decided(world)
    challenge = raise_challenge(
        referral=referral,
        actor=world.hv,
        reasons="Third injury this year.",
        now=WEDNESDAY_10AM + dt.timedelta(hours=3),
    )
    assert challenge.step_one_due == dt.datetime(
        2026, 11, 27, 17, 0, tzinfo=dt.UTC
    )  # 2 working days
    assert challenge.step_two_due == dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
    assert Notification.objects.filter(
        referral=referral, purpose="challenge", to_address=world.manager.email
    ).exists()
    with pytest.raises(NotAllowedNow):
        raise_challenge(referral=referral, actor=world.lead_a, reasons="again")
    answer_challenge(
        challenge=challenge, actor=world.manager, outcome="changed", response="Agreed: reopening."
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED  # open for a new decision
    assert Notification.objects.filter(
        referral=referral, purpose="challenge_answered", to_address=world.hv.email
    ).exists()


def test_an_unanswered_challenge_goes_to_senior_managers_then_is_flagged_again(world):
    referral = decided(world)
    challenge = raise_challenge(
        referral=referral,
        actor=world.hv,
        reasons="Disagree.",
        now=WEDNESDAY_10AM + dt.timedelta(hours=3),
    )
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 27, 17, 1, tzinfo=dt.UTC))
    challenge.refresh_from_db()
    assert challenge.escalation_level == 1 and challenge.with_whom == "senior managers"
    # Once with senior managers, a front-door manager can no longer close it.
    with pytest.raises(PermissionDenied):
        answer_challenge(challenge=challenge, actor=world.manager, outcome="upheld", response="No.")
    escalate_overdue_referrals(now=dt.datetime(2026, 12, 1, 17, 1, tzinfo=dt.UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    assert list(
        referral.escalations.filter(rule="challenge_unresolved").values_list("level", flat=True)
    ) == [1, 2]
    answer_challenge(
        challenge=challenge,
        actor=world.senior,
        outcome="upheld",
        response="The decision stands because...",
    )
    assert not Challenge.objects.get(pk=challenge.pk).is_open


def test_only_the_referrers_side_can_challenge_and_only_once_decided(world):
    referral = submit(world.hv)
    with pytest.raises(NotAllowedNow):
        raise_challenge(referral=referral, actor=world.hv, reasons="Too early")
    referral = decided(world)
    for persona in ("gp", "mash", "outsider"):
        with pytest.raises(PermissionDenied):
            raise_challenge(referral=referral, actor=getattr(world, persona), reasons="x")


def test_a_decision_reopened_after_a_challenge_keeps_the_referrals_urgency(world):
    from referrals.services.decision import decide_referral
    from referrals.services.oversight import endorse_decision

    referral = submit(world.hv, now=WEDNESDAY_10AM, urgency="urgent")
    proposal = decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="Below threshold.",
        next_steps="",
        next_steps_owner="",
        now=WEDNESDAY_10AM + dt.timedelta(hours=1),
    )
    # Urgent, so a manager signs the decision off before it is final.
    assert proposal is not None
    endorse_decision(
        proposal=proposal, actor=world.manager, now=WEDNESDAY_10AM + dt.timedelta(hours=2)
    )
    challenge = raise_challenge(
        referral=referral, actor=world.hv, reasons="Baby is at home with him tonight."
    )
    answered_at = dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC)  # a Saturday night
    answer_challenge(
        challenge=challenge,
        actor=world.manager,
        outcome="changed",
        response="Agreed: reopening.",
        now=answered_at,
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED and referral.urgency == "urgent"
    assert referral.decide_by == answered_at + dt.timedelta(hours=4)  # on the clock
    assert referral.clock.decide_by == answered_at + dt.timedelta(hours=4)


# "A child is at risk now" goes straight to a senior manager, due in hours.


def test_a_child_at_risk_now_goes_straight_to_senior_managers_due_in_hours(world):
    referral = decided(world)
    raised_at = dt.datetime(2026, 11, 28, 22, 0, tzinfo=dt.UTC)  # a Saturday night
    challenge = raise_challenge(
        referral=referral,
        actor=world.hv,
        reasons="He is back at the house tonight.",
        child_at_risk_now=True,
        now=raised_at,
    )
    assert challenge.child_at_risk_now and challenge.escalation_level == 1
    assert challenge.step_two_due == raised_at + dt.timedelta(hours=2)  # the policy's default
    assert challenge.with_whom == "senior managers"
    told = set(
        Notification.objects.filter(referral=referral, purpose="challenge").values_list(
            "to_address", flat=True
        )
    )
    assert {world.senior.email, world.manager.email} <= told
    # A front-door manager may not answer it; a senior manager may.
    with pytest.raises(PermissionDenied):
        answer_challenge(challenge=challenge, actor=world.manager, outcome="upheld", response="No.")


def test_an_unanswered_at_risk_challenge_is_flagged_once_when_its_hours_pass(world):
    referral = decided(world)
    raised_at = dt.datetime(2026, 11, 28, 22, 0, tzinfo=dt.UTC)
    challenge = raise_challenge(
        referral=referral, actor=world.hv, reasons="Tonight.", child_at_risk_now=True, now=raised_at
    )
    escalate_overdue_referrals(now=raised_at + dt.timedelta(hours=1, minutes=59))
    challenge.refresh_from_db()
    assert challenge.escalation_level == 1
    escalate_overdue_referrals(now=raised_at + dt.timedelta(hours=2, minutes=1))
    escalate_overdue_referrals(now=raised_at + dt.timedelta(hours=3))
    challenge.refresh_from_db()
    assert challenge.escalation_level == 2
    # Flagged once, at the senior step: it never sat with the front-door managers.
    assert list(
        referral.escalations.filter(rule="challenge_unresolved").values_list("level", flat=True)
    ) == [2]


def test_a_second_challenge_after_the_decision_stands_goes_up_a_step(world):
    referral = decided(world)
    first = raise_challenge(
        referral=referral, actor=world.hv, reasons="Disagree.", now=WEDNESDAY_10AM
    )
    answer_challenge(challenge=first, actor=world.manager, outcome="upheld", response="It stands.")
    again_at = WEDNESDAY_10AM + dt.timedelta(days=1)
    second = raise_challenge(
        referral=referral, actor=world.hv, reasons="New bruise today.", now=again_at
    )
    assert second.escalation_level == 1 and second.with_whom == "senior managers"
    # The senior managers have the time a first step has: 2 working days.
    assert second.step_two_due == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    assert Notification.objects.filter(
        referral=referral, purpose="challenge", to_address=world.senior.email
    ).exists()
    with pytest.raises(PermissionDenied):
        answer_challenge(challenge=second, actor=world.manager, outcome="upheld", response="No.")
    answer_challenge(challenge=second, actor=world.senior, outcome="upheld", response="Stands.")


def test_a_challenge_after_a_changed_decision_starts_again_with_the_managers(world):
    referral = decided(world)
    first = raise_challenge(referral=referral, actor=world.hv, reasons="x", now=WEDNESDAY_10AM)
    answer_challenge(challenge=first, actor=world.manager, outcome="changed", response="Reopen.")
    from referrals.services.decision import decide_referral

    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="advice",
        reasons="New decision.",
        next_steps="",
        next_steps_owner="",
    )
    second = raise_challenge(referral=referral, actor=world.hv, reasons="Still wrong.")
    assert second.escalation_level == 0
