"""A referral's own pages: its receipt and its page, and the front door's
first actions on it (acknowledge, convert a consultation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from core.names import display_name
from referrals.census import plain_label
from referrals.models import OPEN_STATUSES, Kind, Status
from referrals.selectors.access import get_referral_for_user, permissions_for
from referrals.selectors.matching import earlier_history
from referrals.selectors.people import assignable_people
from referrals.selectors.timeline import (
    escalations_for,
    information_requests_for,
    timeline,
    with_parts,
)
from referrals.services.acknowledge import AlreadyAcknowledged, acknowledge_referral
from referrals.services.triage import convert_to_referral


def _audit_view(request: HttpRequest, reference: str, page: str) -> None:
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=reference,
        origin=Origin.of(request),
        detail={"page": page},
    )


@login_required
def receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "receipt")
    template = (
        "referrals/contact_receipt.html"
        if referral.is_recorded_contact
        else "referrals/receipt.html"
    )
    return render(request, template, {"referral": referral})


@login_required
def referral_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "detail")
    with_parts(referral)
    may = permissions_for(request.user, referral)
    is_open = referral.status in OPEN_STATUSES
    challenges = list(referral.challenges.select_related("raised_by", "responded_by"))
    escalations = escalations_for(referral)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "timeline": timeline(referral, viewer=request.user, escalations=escalations),
            "escalations": escalations,
            "can_acknowledge": may.can_act and referral.status == Status.SUBMITTED,
            "can_triage": may.can_act and is_open,
            "referrer_side": may.referrer_side,
            "information_requests": information_requests_for(referral, viewer=request.user),
            "challenges": challenges,
            "can_challenge": may.referrer_side
            and referral.status == Status.DECIDED
            and not any(c.is_open for c in challenges),
            "answerable_challenges": {c.pk for c in challenges if c.is_open and may.may_answer(c)},
            "earlier_history": earlier_history(referral) if may.front_door_staff else [],
            "assignable": assignable_people(referral) if may.can_act and is_open else [],
            "can_convert": may.can_act
            and (referral.kind == Kind.CONSULTATION or (referral.kind == Kind.CONTACT and is_open)),
            "census_source": plain_label(referral.census_source),
            "police_notifications": list(
                referral.notifications.filter(purpose="police").order_by("id")
            ),
            "is_front_door": may.front_door_staff,
            "is_administrator": may.administrator,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def acknowledge(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    try:
        acknowledge_referral(referral=referral, actor=request.user, origin=Origin.of(request))
    except AlreadyAcknowledged as exc:
        who = exc.referral.acknowledged_by
        name = display_name(who) if who else "someone else"
        messages.info(request, f"{referral.reference} was already acknowledged by {name}.")
    else:
        messages.success(
            request, f"You acknowledged {referral.reference}. The sender has been told."
        )
    return redirect("referral-detail", reference=referral.reference)


@login_required
@require_POST
def convert(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    convert_to_referral(referral=referral, actor=request.user, origin=Origin.of(request))
    told = "" if referral.is_recorded_contact else " The sender has been told."
    messages.success(request, f"{referral.reference} is now a referral.{told}")
    return redirect("referral-detail", reference=referral.reference)
