"""A manager signs off a decision proposed on a high-risk referral: endorses
it (and it becomes final: the referrer is told) or sends it back with reasons
(and the practitioner decides again). The rule for which decisions need it
is in referrals.oversight."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from referrals.deadlines import compute_deadlines
from referrals.escalation.clock import restart_decision_clock
from referrals.models import Decision, DecisionProposal, EventKind, Referral, SignOff, Urgency
from referrals.selectors.access import permissions_for, require
from referrals.services.common import (
    NotAllowedNow,
    add_event,
    front_door_rules,
    history_of,
    record_history,
)
from referrals.services.decision import make_decision_final

MANAGERS_ONLY = "Only the front door's managers can sign off a decision"
NOT_YOUR_OWN = "You proposed this decision: another manager must sign it off"


def _check(proposal: DecisionProposal, actor: User) -> None:
    may = permissions_for(actor, proposal.referral)
    require(may.can_sign_off, MANAGERS_ONLY)
    if not may.may_sign_off(proposal, actor):
        raise NotAllowedNow(NOT_YOUR_OWN)


def _close(
    proposal: DecisionProposal, actor: User, outcome: str, reasons: str, now: dt.datetime
) -> None:
    """Close the proposal once: a conditional update, so two managers
    pressing at once cannot both sign it off."""
    closed = DecisionProposal.objects.filter(pk=proposal.pk, is_open=True).update(
        is_open=False,
        outcome=outcome,
        signed_off_by=actor,
        signed_off_at=now,
        sign_off_reasons=reasons,
    )
    if not closed:
        proposal.refresh_from_db()
        who = display_name(proposal.signed_off_by) if proposal.signed_off_by else "someone else"
        raise NotAllowedNow(f"This decision has already been signed off by {who}")
    proposal.refresh_from_db()
    history_of(DecisionProposal).bulk_history_create(
        [proposal], update=True, default_user=actor, default_date=now
    )


def endorse_decision(
    *,
    proposal: DecisionProposal,
    actor: User,
    comments: str = "",
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> DecisionProposal:
    """A manager other than the proposer endorses the proposed decision: it
    becomes the referral's decision, and the referrer is sent the outcome."""
    _check(proposal, actor)
    now = now or timezone.now()
    referral = proposal.referral
    with transaction.atomic():
        _close(proposal, actor, SignOff.ENDORSED, comments.strip(), now)
        add_event(
            referral,
            EventKind.DECISION_ENDORSED,
            actor,
            f"{display_name(actor)} endorsed the proposed decision: "
            f"{Decision(proposal.decision).label}",
            now,
            front_door_only=True,
        )
        record_event(
            actor=actor,
            action=Action.DECISION_ENDORSED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"proposal": proposal.pk, "decision": proposal.decision},
        )
        make_decision_final(
            referral=referral,
            decided_by=proposal.proposed_by,
            actor=actor,
            decision=proposal.decision,
            reasons=proposal.reasons,
            next_steps=proposal.next_steps,
            next_steps_owner=proposal.next_steps_owner,
            origin=origin,
            now=now,
            endorsed_by=actor,
        )
    return proposal


def send_back_decision(
    *,
    proposal: DecisionProposal,
    actor: User,
    reasons: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> DecisionProposal:
    """A manager other than the proposer sends the proposed decision back
    with reasons: the referral is open for a new decision, due on the
    referral's own deadline rules from now (urgent stays urgent)."""
    _check(proposal, actor)
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why you are sending the decision back"})
    now = now or timezone.now()
    referral: Referral = proposal.referral
    with transaction.atomic():
        _close(proposal, actor, SignOff.RETURNED, reasons.strip(), now)
        deadlines = compute_deadlines(
            front_door_rules(referral),
            received_at=now,
            urgent=referral.urgency == Urgency.URGENT or referral.non_mobile_injury,
        )
        restart_decision_clock(referral.pk, deadlines)
        record_history(referral, actor, "Proposed decision sent back for a new decision", now)
        add_event(
            referral,
            EventKind.DECISION_RETURNED,
            actor,
            f"{display_name(actor)} sent back the proposed decision "
            f"({Decision(proposal.decision).label}): {reasons.strip()}",
            now,
            front_door_only=True,
        )
        record_event(
            actor=actor,
            action=Action.DECISION_RETURNED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"proposal": proposal.pk, "decision": proposal.decision},
        )
    return proposal
