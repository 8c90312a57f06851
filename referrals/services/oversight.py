"""A manager signs off a decision proposed on a high-risk referral: endorses
it (and it becomes final: the referrer is told) or sends it back with reasons
(and the practitioner decides again). The rule for which decisions need it
is in referrals.oversight."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.selectors import get_access
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from referrals.deadlines import compute_deadlines
from referrals.escalation.clock import restart_decision_clock
from referrals.models import (
    Decision,
    DecisionAudit,
    DecisionAuditItem,
    DecisionProposal,
    EventKind,
    Finding,
    Referral,
    SignOff,
    Status,
    Urgency,
)
from referrals.selectors.access import SIGN_OFF_ROLES, permissions_for, require
from referrals.services.common import (
    NotAllowedNow,
    add_event,
    front_door_rules,
    history_of,
    record_history,
)
from referrals.services.decision import make_decision_final

MANAGERS_ONLY = "Only the front door's managers can sign off a decision"
# The most decisions one audit samples: enough for a month's audit, few
# enough for one manager to read properly.
MAX_SAMPLE = 50
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


def last_month(now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The calendar month before `now` (local time): its first day, and its
    start and end as moments."""
    first_of_this = timezone.localtime(now).date().replace(day=1)
    first_of_last = (first_of_this - dt.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_of_last, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(first_of_this, dt.time.min, tzinfo=tz)
    return first_of_last, start, end


def draw_decision_sample(
    *,
    actor: User,
    front_door_id: int,
    size: int,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
) -> DecisionAudit:
    """Draw a random sample of last month's decisions at a front door for a
    manager to audit (Plymouth: "monthly referral audits"). Random, so that
    no decision can count on not being read."""
    require(
        front_door_id in get_access(actor).front_door_ids_with(SIGN_OFF_ROLES),
        "Only the front door's managers can audit its decisions",
    )
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError({"size": f"Enter a number of decisions from 1 to {MAX_SAMPLE}"})
    now = now or timezone.now()
    month, start, end = last_month(now)
    decided = list(
        Referral.objects.filter(
            front_door_id=front_door_id,
            status=Status.DECIDED,
            decided_at__gte=start,
            decided_at__lt=end,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not decided:
        raise NotAllowedNow(f"No decisions were made in {month:%B %Y} to audit")
    chosen = (rng or random.SystemRandom()).sample(decided, min(size, len(decided)))
    with transaction.atomic():
        audit = DecisionAudit.objects.create(
            front_door_id=front_door_id,
            month=month,
            drawn_by=actor,
            drawn_at=now,
            decided_in_month=len(decided),
        )
        items = DecisionAuditItem.objects.bulk_create(
            [DecisionAuditItem(audit=audit, referral_id=pk) for pk in sorted(chosen)]
        )
        # bulk_create bypasses django-simple-history: record the first versions.
        history_of(DecisionAuditItem).bulk_history_create(
            items, default_user=actor, default_date=now
        )
        record_event(
            actor=actor,
            action=Action.DECISIONS_SAMPLED,
            object_type="decision_audit",
            object_ref=str(audit.pk),
            origin=origin,
            detail={"month": month.isoformat(), "sampled": len(chosen), "of": len(decided)},
        )
    return audit


def record_audit_finding(
    *,
    item: DecisionAuditItem,
    actor: User,
    finding: str,
    notes: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> DecisionAuditItem:
    """The auditor's finding on one sampled decision; a later finding
    replaces it, and the history keeps both."""
    require(
        item.audit.front_door_id in get_access(actor).front_door_ids_with(SIGN_OFF_ROLES),
        "Only the front door's managers can audit its decisions",
    )
    if finding not in Finding.values:
        raise ValidationError({"finding": "Select a finding"})
    if finding != Finding.GOOD and not notes.strip():
        raise ValidationError({"notes": "Enter what fell short"})
    now = now or timezone.now()
    with transaction.atomic():
        item.finding = finding
        item.notes = notes.strip()
        item.recorded_by = actor
        item.recorded_at = now
        item.save(update_fields=["finding", "notes", "recorded_by", "recorded_at"])
        record_event(
            actor=actor,
            action=Action.AUDIT_FINDING,
            object_type="referral",
            object_ref=item.referral.reference,
            origin=origin,
            detail={"audit": item.audit_id, "finding": finding},
        )
    return item
