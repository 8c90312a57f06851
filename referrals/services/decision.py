"""Deciding a referral, and telling the referrer the outcome and the reasons
in the same transaction (Working Together: feedback to the referrer on the
decision and the reasons)."""

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
from referrals.escalation.clock import stop_clocks
from referrals.models import Decision, EventKind, Referral, Status
from referrals.selectors.access import permissions_for, require
from referrals.services.common import NotAllowedNow, add_event, record_history


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
) -> Referral:
    """Record the decision with its reasons and tell the referrer the outcome.

    The outcome goes through the outbox in the same transaction, so a
    decision without its outcome message cannot exist. Deciding a referral
    nobody acknowledged also acknowledges it.
    """
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    if decision not in Decision.values or decision == Decision.INFORMATION_ONLY:
        raise ValidationError({"decision": "Select a decision"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for the decision"})
    label = Decision(decision).label
    now = now or timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
            status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
        )
        changed = Referral.objects.filter(pk=referral.pk, status=Status.ACKNOWLEDGED).update(
            status=Status.DECIDED,
            decision=decision,
            decision_reasons=reasons.strip(),
            next_steps=next_steps.strip(),
            next_steps_owner=next_steps_owner.strip(),
            decided_at=now,
            decided_by=actor,
            outcome_sent_at=now,
            updated_at=now,
        )
        if not changed:
            referral.refresh_from_db()
            raise NotAllowedNow(f"{referral.reference} has already been decided")
        stop_clocks(referral.pk, acknowledgement=True, decision=True)
        record_history(referral, actor, f"Decided: {label}", now)
        add_event(
            referral, EventKind.DECIDED, actor, f"{display_name(actor)} decided: {label}", now
        )
        add_event(
            referral, EventKind.OUTCOME_SENT, None, "Outcome and reasons sent to the referrer", now
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
        )
    return referral
