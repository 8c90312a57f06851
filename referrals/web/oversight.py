"""Manager oversight pages: Decisions to check, and signing off a proposed
decision (endorse, or send back with reasons). Both work without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.forms.oversight import ENDORSE, SignOffForm
from referrals.selectors.access import SIGN_OFF_ROLES, permissions_for, require
from referrals.selectors.oversight import decisions_to_check as decisions_to_check_selector
from referrals.selectors.oversight import get_proposal_for_user
from referrals.services.oversight import MANAGERS_ONLY, endorse_decision, send_back_decision
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
