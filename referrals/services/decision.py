"""Deciding a referral, and telling the referrer the outcome and the reasons
in the same transaction (Working Together: feedback to the referrer on the
decision and the reasons).

A decision that needs a manager's sign-off (referrals.oversight) is recorded
as a proposal instead, and becomes final only when a manager endorses it
(referrals.services.oversight). Either way, a decision becomes final in one
place, `make_decision_final`: whatever must happen when a decision is final
(the outcome to the referrer, the webhooks, a strategy discussion to open)
belongs there.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import WebhookEvent
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from notifications.webhooks import webhook_notifications
from referrals import messages
from referrals.deadlines import sign_off_due
from referrals.escalation.clock import stop_clocks
from referrals.models import (
    Decision,
    DecisionProposal,
    EventKind,
    Referral,
    SignOffPolicy,
    Status,
    Urgency,
)
from referrals.oversight import high_risk_reasons, needs_sign_off, risk_facts, sign_off_rules
from referrals.selectors.access import permissions_for, require
from referrals.services.common import NotAllowedNow, add_event, front_door_rules, record_history
from referrals.services.strategy import open_strategy_discussion


def decide_referral(
    *,
    referral: Referral,
    actor: User,
    decision: str,
    reasons: str,
    next_steps: str,
    next_steps_owner: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> DecisionProposal | None:
    """Record the decision with its reasons and tell the referrer the outcome;
    or, when the decision needs a manager's sign-off, record it as a proposal
    and tell nobody outside the front door yet. Returns the proposal, or None
    when the decision is final.

    The outcome goes through the outbox in the same transaction, so a
    decision without its outcome message cannot exist. Deciding a referral
    nobody acknowledged also acknowledges it.
    """
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    if decision not in Decision.values:
        raise ValidationError({"decision": "Select a decision"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for the decision"})
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the referral: a second decision, or a proposal, must wait for
        # this one and then see it.
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        if DecisionProposal.objects.filter(referral=referral, is_open=True).exists():
            raise NotAllowedNow(
                f"A decision on {referral.reference} is waiting for a manager to sign it off"
            )
        referral.refresh_from_db()
        if referral.status == Status.DECIDED:
            raise NotAllowedNow(f"{referral.reference} has already been decided")
        Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
            status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, updated_at=now
        )
        policy = SignOffPolicy.objects.filter(front_door_id=referral.front_door_id).first()
        rules = sign_off_rules(policy)
        high_risk = high_risk_reasons(
            risk_facts(referral), rules, today=timezone.localtime(now).date()
        )
        if needs_sign_off(decision, high_risk):
            return _propose(
                referral=referral,
                actor=actor,
                decision=decision,
                reasons=reasons.strip(),
                next_steps=next_steps.strip(),
                next_steps_owner=next_steps_owner.strip(),
                high_risk=high_risk,
                due_by=sign_off_due(
                    front_door_rules(referral).calendar,
                    proposed_at=now,
                    urgent=referral.urgency == Urgency.URGENT or referral.non_mobile_injury,
                    within_working=rules.within_working,
                    urgent_within=rules.urgent_within,
                ),
                origin=origin,
                now=now,
            )
        make_decision_final(
            referral=referral,
            decided_by=actor,
            actor=actor,
            decision=decision,
            reasons=reasons.strip(),
            next_steps=next_steps.strip(),
            next_steps_owner=next_steps_owner.strip(),
            origin=origin,
            now=now,
        )
    return None


def _propose(
    *,
    referral: Referral,
    actor: User,
    decision: str,
    reasons: str,
    next_steps: str,
    next_steps_owner: str,
    high_risk: tuple[str, ...],
    due_by: dt.datetime,
    origin: Origin,
    now: dt.datetime,
) -> DecisionProposal:
    """The proposal, in the caller's transaction. The "no decision in time"
    ladder stops (a decision was made); the sign-off deadline takes over."""
    proposal = DecisionProposal.objects.create(
        referral=referral,
        decision=decision,
        reasons=reasons,
        next_steps=next_steps,
        next_steps_owner=next_steps_owner,
        high_risk_because="; ".join(high_risk)[:300],
        proposed_by=actor,
        proposed_at=now,
        due_by=due_by,
    )
    stop_clocks(referral.pk, acknowledgement=True, decision=True)
    label = Decision(decision).label
    record_history(referral, actor, f"Decision proposed for sign-off: {label}", now)
    add_event(
        referral,
        EventKind.DECISION_PROPOSED,
        actor,
        f"{display_name(actor)} proposed: {label}. A manager must sign it off "
        f"({'; '.join(high_risk)})",
        now,
        front_door_only=True,
    )
    record_event(
        actor=actor,
        action=Action.DECISION_PROPOSED,
        object_type="referral",
        object_ref=referral.reference,
        origin=origin,
        detail={"decision": decision, "proposal": proposal.pk, "high_risk": list(high_risk)},
    )
    return proposal


def make_decision_final(
    *,
    referral: Referral,
    decided_by: User,
    actor: User,
    decision: str,
    reasons: str,
    next_steps: str,
    next_steps_owner: str,
    origin: Origin = WEB,
    now: dt.datetime,
    endorsed_by: User | None = None,
) -> None:
    """The one place a decision becomes final, in the caller's transaction:
    the referral is decided, its clocks stop, and the referrer is sent the
    outcome and reasons (and agency systems the webhook). Called by
    `decide_referral` when no sign-off is needed, and by the endorsement of
    a proposal (`decided_by` the proposer, `endorsed_by` the manager). Work
    that must follow every final decision hooks in here."""
    label = Decision(decision).label
    Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
        status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=decided_by
    )
    changed = Referral.objects.filter(pk=referral.pk, status=Status.ACKNOWLEDGED).update(
        status=Status.DECIDED,
        decision=decision,
        decision_reasons=reasons,
        next_steps=next_steps,
        next_steps_owner=next_steps_owner,
        decided_at=now,
        decided_by=decided_by,
        outcome_sent_at=now,
        updated_at=now,
    )
    if not changed:
        referral.refresh_from_db()
        raise NotAllowedNow(f"{referral.reference} has already been decided")
    stop_clocks(referral.pk, acknowledgement=True, decision=True)
    record_history(referral, actor, f"Decided: {label}", now)
    summary = f"{display_name(decided_by)} decided: {label}"
    if endorsed_by is not None:
        summary += f", endorsed by {display_name(endorsed_by)}"
    add_event(referral, EventKind.DECIDED, actor, summary, now)
    add_event(
        referral, EventKind.OUTCOME_SENT, None, "Outcome and reasons sent to the referrer", now
    )
    # A strategy discussion is a thing that happens: opened, with its
    # invitations, the moment the decision is final.
    strategy = (
        open_strategy_discussion(referral=referral, actor=actor, now=now)
        if decision == Decision.STRATEGY_DISCUSSION
        else []
    )
    record_event(
        actor=actor,
        action=Action.DECIDED,
        object_type="referral",
        object_ref=referral.reference,
        origin=origin,
        detail={"decision": decision},
    )
    queue_notifications(
        build_notifications(
            purpose=Purpose.OUTCOME,
            recipients=recipients_for_users([referral.sender]),
            subject=messages.outcome_subject(referral),
            body=messages.outcome_body(referral),
            referral_id=referral.pk,
            now=now,
        )
        + webhook_notifications(referral=referral, event=WebhookEvent.DECIDED, now=now)
        + strategy
    )
