"""Manager oversight pages: Decisions to check, and signing off a proposed
decision (endorse, or send back with reasons). Both work without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.forms.oversight import ENDORSE, DrawSampleForm, FindingForm, SignOffForm
from referrals.models import DecisionAudit
from referrals.selectors.access import SIGN_OFF_ROLES, permissions_for, require
from referrals.selectors.oversight import (
    audit_items,
    audited_front_doors,
    decision_audits_for,
    get_audit_item,
    get_decision_audit_for_user,
    get_proposal_for_user,
)
from referrals.selectors.oversight import decisions_to_check as decisions_to_check_selector
from referrals.services.oversight import (
    MANAGERS_ONLY,
    draw_decision_sample,
    endorse_decision,
    last_month,
    record_audit_finding,
    send_back_decision,
)
from referrals.web.triage import _apply


@login_required
def decisions_to_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Proposed decisions waiting for a manager, oldest first."""
    require(
        permissions_for_any_front_door(request),
        "Only front-door managers can see decisions to check",
    )
    proposals = decisions_to_check_selector(request.user)
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="decisions_to_check",
        origin=Origin.of(request),
        detail={"references": [p.referral.reference for p in proposals][:200]},
    )
    return render(
        request,
        "referrals/oversight/decisions_to_check.html",
        {"proposals": proposals, "me": request.user.pk, "now": timezone.now()},
    )


def permissions_for_any_front_door(request: AuthenticatedHttpRequest) -> bool:
    return bool(get_access(request.user).front_door_ids_with(SIGN_OFF_ROLES))


@login_required
def sign_off(request: AuthenticatedHttpRequest, reference: str, proposal_id: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, reference, proposal_id)
    referral = proposal.referral
    require(permissions_for(request.user, referral).can_sign_off, MANAGERS_ONLY)
    form = SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        endorse = form.cleaned_data["outcome"] == ENDORSE
        if _apply(
            form,
            lambda: (
                endorse_decision(
                    proposal=proposal,
                    actor=request.user,
                    comments=form.cleaned_data["reasons"],
                    origin=Origin.of(request),
                )
                if endorse
                else send_back_decision(
                    proposal=proposal,
                    actor=request.user,
                    reasons=form.cleaned_data["reasons"],
                    origin=Origin.of(request),
                )
            ),
        ):
            if endorse:
                messages.success(
                    request,
                    f"Decision endorsed. {referral.sender.get_full_name() or 'The referrer'} has "
                    "been sent the outcome and reasons.",
                )
            else:
                messages.success(
                    request,
                    f"Decision sent back. {referral.reference} is open for a new decision.",
                )
            return redirect("referral-detail", reference=referral.reference)
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=referral.reference,
        origin=Origin.of(request),
        detail={"page": "sign-off", "proposal": proposal.pk},
    )
    return render(
        request,
        "referrals/oversight/sign_off.html",
        {
            "referral": referral,
            "proposal": proposal,
            "form": form,
            "own": proposal.proposed_by_id == request.user.pk,
        },
    )


AUDITORS_ONLY = "Only front-door managers can audit decisions"


@login_required
def decision_audits(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Monthly decision audits: draw a random sample of last month's
    decisions, and the audits drawn before."""
    front_doors = audited_front_doors(request.user)
    require(bool(front_doors), AUDITORS_ONLY)
    form = DrawSampleForm(request.POST if request.method == "POST" else None)
    drawn: list[DecisionAudit] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: drawn.append(
                draw_decision_sample(
                    actor=request.user,
                    # A manager of several front doors audits the one they chose.
                    front_door_id=_chosen_front_door(request, front_doors),
                    size=form.cleaned_data["size"],
                    origin=Origin.of(request),
                )
            ),
        )
    ):
        count = drawn[0].items.count()
        messages.success(
            request,
            f"{count} decision{'' if count == 1 else 's'} chosen at random for you to audit.",
        )
        return redirect("decision-audit", audit_id=drawn[0].pk)
    month, _, _ = last_month(timezone.now())
    return render(
        request,
        "referrals/oversight/audits.html",
        {
            "form": form,
            "audits": decision_audits_for(request.user),
            "front_doors": front_doors,
            "month": month,
        },
    )


def _chosen_front_door(request: AuthenticatedHttpRequest, front_doors: list[Any]) -> int:
    chosen = str(request.POST.get("front_door", ""))
    for front_door in front_doors:
        if str(front_door.pk) == chosen:
            return int(front_door.pk)
    return int(front_doors[0].pk)


@login_required
def decision_audit(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = get_decision_audit_for_user(request.user, audit_id)
    items = audit_items(audit)
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="decision_audit",
        object_ref=str(audit.pk),
        origin=Origin.of(request),
        detail={"references": [i.referral.reference for i in items]},
    )
    return render(request, "referrals/oversight/audit.html", {"audit": audit, "items": items})


@login_required
def audit_finding(request: AuthenticatedHttpRequest, audit_id: int, item_id: int) -> HttpResponse:
    audit = get_decision_audit_for_user(request.user, audit_id)
    item = get_audit_item(audit, item_id)
    initial = {"finding": item.finding, "notes": item.notes} if item.finding else None
    form = FindingForm(request.POST if request.method == "POST" else None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: record_audit_finding(
                item=item,
                actor=request.user,
                finding=form.cleaned_data["finding"],
                notes=form.cleaned_data["notes"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(request, f"Finding recorded for {item.referral.reference}.")
        return redirect("decision-audit", audit_id=audit.pk)
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=item.referral.reference,
        origin=Origin.of(request),
        detail={"page": "decision-audit", "audit": audit.pk},
    )
    return render(
        request,
        "referrals/oversight/finding.html",
        {"audit": audit, "item": item, "referral": item.referral, "form": form},
    )
