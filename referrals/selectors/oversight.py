"""Reads for manager oversight of decisions: a referral's proposed decisions,
and the front door's Decisions to check."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import get_access
from referrals.models import (
    DecisionAudit,
    DecisionAuditItem,
    DecisionProposal,
    Referral,
    SignOffPolicy,
)
from referrals.oversight import high_risk_reasons, risk_facts, sign_off_rules
from referrals.selectors.access import SIGN_OFF_ROLES, User, get_referral_for_user


def proposals_for(referral: Referral) -> list[DecisionProposal]:
    """Every decision proposed on the referral, oldest first: who proposed,
    who endorsed or sent it back, when and why. For front-door staff only."""
    return list(referral.proposals.select_related("proposed_by", "signed_off_by"))


def decisions_to_check(user: User) -> list[DecisionProposal]:
    """Proposed decisions waiting for sign-off at the front doors where the
    user is a manager, oldest first (the one waiting longest is the one
    most at risk of being forgotten)."""
    front_doors = get_access(user).front_door_ids_with(SIGN_OFF_ROLES)
    if not front_doors:
        return []
    return list(
        DecisionProposal.objects.filter(is_open=True, referral__front_door_id__in=front_doors)
        .select_related("referral", "proposed_by")
        .prefetch_related("referral__children")
        .order_by("proposed_at", "id")[:500]
    )


def get_proposal_for_user(user: User, reference: str, proposal_id: object) -> DecisionProposal:
    """One proposal on a referral the user may see; 404 for anything else."""
    referral = get_referral_for_user(user, reference)
    try:
        key = int(str(proposal_id))
        proposal = referral.proposals.select_related("proposed_by", "signed_off_by").get(pk=key)
    except (ValueError, DecisionProposal.DoesNotExist) as exc:
        raise Http404("No such proposed decision") from exc
    proposal.referral = referral
    return proposal


def high_risk_reasons_for(referral: Referral, *, today: dt.date | None = None) -> tuple[str, ...]:
    """Why a referral is high-risk under its front door's sign-off rules
    (empty when it is not): the decision page says so before anyone decides."""
    policy = SignOffPolicy.objects.filter(front_door_id=referral.front_door_id).first()
    return high_risk_reasons(
        risk_facts(referral),
        sign_off_rules(policy),
        today=today or timezone.localdate(),
    )


def audited_front_doors(user: User) -> list[Agency]:
    """The front doors whose decisions this person audits (as a manager)."""
    ids = get_access(user).front_door_ids_with(SIGN_OFF_ROLES)
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def decision_audits_for(user: User) -> list[DecisionAudit]:
    """Audits of the front doors this person audits, newest first, with how
    many of each sample have a finding."""
    ids = get_access(user).front_door_ids_with(SIGN_OFF_ROLES)
    return list(
        DecisionAudit.objects.filter(front_door_id__in=ids)
        .select_related("front_door", "drawn_by")
        .annotate(
            sampled=Count("items"),
            recorded=Count("items", filter=~Q(items__finding="")),
        )[:100]
    )


def get_decision_audit_for_user(user: User, audit_id: object) -> DecisionAudit:
    """One audit of a front door this person audits; 404 for anything else."""
    ids = get_access(user).front_door_ids_with(SIGN_OFF_ROLES)
    try:
        return DecisionAudit.objects.select_related("front_door", "drawn_by").get(
            pk=int(str(audit_id)), front_door_id__in=ids
        )
    except (ValueError, DecisionAudit.DoesNotExist) as exc:
        raise Http404("No such audit") from exc


def audit_items(audit: DecisionAudit) -> list[DecisionAuditItem]:
    return list(
        audit.items.select_related("referral", "referral__decided_by", "recorded_by")
        .prefetch_related("referral__children")
        .order_by("id")
    )


def get_audit_item(audit: DecisionAudit, item_id: object) -> DecisionAuditItem:
    try:
        return audit.items.select_related("referral", "referral__decided_by", "audit").get(
            pk=int(str(item_id))
        )
    except (ValueError, DecisionAuditItem.DoesNotExist) as exc:
        raise Http404("No such decision in this audit") from exc
