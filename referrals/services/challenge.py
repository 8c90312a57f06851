"""Resolving professional differences: a referrer challenges a decision and
a manager answers; if the managers do not answer in time, the sweep takes it
to senior managers (Plymouth, Child S, Family T: professionals must be able to
challenge and escalate disagreement)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import members_with_role
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from referrals import messages
from referrals.deadlines import challenge_deadlines, compute_deadlines
from referrals.escalation.clock import restart_decision_clock
from referrals.models import Challenge, ChallengeOutcome, EventKind, Referral, Status, Urgency
from referrals.selectors.access import permissions_for, require
from referrals.services.common import NotAllowedNow, add_event, front_door_rules, record_history


def raise_challenge(
    *,
    referral: Referral,
    actor: User,
    reasons: str,
    child_at_risk_now: bool = False,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Challenge:
    """A referrer (or their agency's lead) challenges the decision. Step one
    is with the front-door managers; the sweep moves it to senior managers if
    they do not answer in time. "A child is at risk now" skips step one: the
    senior managers (and the managers) are told at once, and the answer is
    due in hours on the clock (the policy's urgent challenge hours); the
    sweep's senior step watches it."""
    require(
        permissions_for(actor, referral).referrer_side,
        "Only the referrer or their agency's safeguarding lead can do this",
    )
    if referral.status != Status.DECIDED:
        raise NotAllowedNow("You can challenge a decision once it has been made")
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why you disagree with the decision"})
    now = now or timezone.now()
    rules = front_door_rules(referral)
    with transaction.atomic():
        # One open challenge per referral: lock the referral while checking.
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        if Challenge.objects.filter(referral=referral, is_open=True).exists():
            raise NotAllowedNow("There is already an open challenge on this decision")
        # A second challenge after "the decision stands" goes up a step: the
        # front-door managers have answered once already.
        stood = Challenge.objects.filter(
            referral=referral, is_open=False, outcome=ChallengeOutcome.UPHELD
        ).exists()
        step_one, step_two = challenge_deadlines(rules, raised_at=now)
        if child_at_risk_now:
            step_one = step_two = now + rules.urgent_challenge_within
        elif stood:
            # The senior managers get the time a first step has.
            step_two = step_one
        to_seniors = child_at_risk_now or stood
        challenge = Challenge.objects.create(
            referral=referral,
            raised_by=actor,
            reasons=reasons.strip(),
            raised_at=now,
            step_one_due=step_one,
            step_two_due=step_two,
            child_at_risk_now=child_at_risk_now,
            escalation_level=1 if to_seniors else 0,
        )
        add_event(
            referral,
            EventKind.CHALLENGED,
            actor,
            f"{display_name(actor)} challenged the decision"
            + (
                ": a child is at risk now, with senior managers"
                if child_at_risk_now
                else " again, after it stood: with senior managers"
                if stood
                else ""
            ),
            now,
        )
        record_event(
            actor=actor,
            action=Action.CHALLENGED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
        roles = [Role.SENIOR_MANAGER, Role.MANAGER] if to_seniors else [Role.MANAGER]
        managers = members_with_role(agency_id=referral.front_door_id, roles=roles)
        queue_notifications(
            build_notifications(
                purpose=Purpose.CHALLENGE,
                recipients=recipients_for_users(m.user for m in managers),
                subject=messages.challenge_subject(referral),
                body=messages.challenge_body(
                    referral,
                    due_by=step_two if to_seniors else step_one,
                    child_at_risk_now=child_at_risk_now,
                    to_seniors=to_seniors,
                ),
                referral_id=referral.pk,
                now=now,
            )
        )
    return challenge


def answer_challenge(
    *,
    challenge: Challenge,
    actor: User,
    outcome: str,
    response: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Challenge:
    """A front-door or senior manager answers. If the decision will change,
    the referral reopens for a new decision, due as its urgency says: one
    working day, or hours on the clock for an urgent one."""
    referral = challenge.referral
    require(
        permissions_for(actor, referral).may_answer(challenge),
        "Only the front door's managers can answer this challenge",
    )
    if outcome not in ChallengeOutcome.values:
        raise ValidationError({"outcome": "Select whether the decision stands"})
    if not response.strip():
        raise ValidationError({"response": "Enter your answer to the challenge"})
    now = now or timezone.now()
    with transaction.atomic():
        changed = Challenge.objects.filter(pk=challenge.pk, is_open=True).update(
            is_open=False,
            outcome=outcome,
            response=response.strip(),
            responded_by=actor,
            responded_at=now,
        )
        if not changed:
            raise NotAllowedNow("This challenge has already been answered")
        challenge.refresh_from_db()
        Challenge.history.bulk_history_create(
            [challenge], update=True, default_user=actor, default_date=now
        )
        add_event(
            referral,
            EventKind.CHALLENGE_ANSWERED,
            actor,
            f"{display_name(actor)} answered the challenge: "
            f"{ChallengeOutcome(outcome).label.lower()}",
            now,
        )
        if outcome == ChallengeOutcome.CHANGED:
            # The new decision keeps the referral's urgency: an urgent
            # referral reopened is due in hours, not the next working day.
            deadlines = compute_deadlines(
                front_door_rules(referral),
                received_at=now,
                urgent=referral.urgency == Urgency.URGENT,
            )
            reopened = Referral.objects.filter(pk=referral.pk, status=Status.DECIDED).update(
                status=Status.ACKNOWLEDGED,
                updated_at=now,
            )
            if reopened:
                restart_decision_clock(referral.pk, deadlines)
            record_history(referral, actor, "Reopened for a new decision after a challenge", now)
        record_event(
            actor=actor,
            action=Action.CHALLENGE_ANSWERED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"outcome": outcome},
        )
        queue_notifications(
            build_notifications(
                purpose=Purpose.CHALLENGE_ANSWERED,
                recipients=recipients_for_users([challenge.raised_by]),
                subject=messages.challenge_answered_subject(referral),
                body=messages.challenge_answered_body(referral),
                referral_id=referral.pk,
                now=now,
            )
        )
    return challenge
