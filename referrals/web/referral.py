"""A referral's own pages: its receipt and its page, and the front door's
first actions on it (acknowledge, convert a consultation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from core.names import display_name
from referrals.content import vague_words_in
from referrals.deadlines import referral_unattended_out_of_hours
from referrals.messages import NOBODY_ON_DUTY
from referrals.models import OPEN_STATUSES, Kind, Status
from referrals.selectors.access import (
    attachments_visible_to,
    get_referral_for_user,
    permissions_for,
)
from referrals.selectors.matching import related_history
from referrals.selectors.oversight import proposals_for
from referrals.selectors.people import assignable_people
from referrals.selectors.police import police_status
from referrals.selectors.strategy import strategy_for
from referrals.selectors.timeline import (
    escalations_for,
    information_requests_for,
    timeline,
    with_parts,
)
from referrals.services.acknowledge import AlreadyAcknowledged, acknowledge_referral
from referrals.services.triage import convert_to_referral


def _audit_view(request: HttpRequest, reference: str, page: str) -> None:
    detail = {"page": page}
    if request.GET.get("from") == "search":
        detail["from"] = "search"  # a result of a search for people, opened
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=reference,
        origin=Origin.of(request),
        detail=detail,
    )


@login_required
def receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "receipt")
    return render(
        request,
        "referrals/receipt.html",
        {
            "referral": referral,
            "can_send": get_access(request.user).can_send,
            "unattended": referral_unattended_out_of_hours(referral),
            "nobody_on_duty": NOBODY_ON_DUTY,
        },
    )


@login_required
def referral_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "detail")
    with_parts(referral)
    may = permissions_for(request.user, referral)
    is_open = referral.status in OPEN_STATUSES
    challenges = list(referral.challenges.select_related("raised_by", "responded_by"))
    escalations = escalations_for(referral, front_door=may.front_door_staff)
    if may.sent_away_at is not None:
        # A front door that transferred it away sees what it sent, no more.
        escalations = [e for e in escalations if e.escalated_at <= may.sent_away_at]
    # Proposed decisions are the front door's business until one is final.
    proposals = proposals_for(referral) if may.front_door_staff else []
    awaiting = next((p for p in proposals if p.is_open), None)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "timeline": timeline(referral, viewer=request.user, escalations=escalations),
            "escalations": escalations,
            "can_acknowledge": may.can_act and referral.status == Status.SUBMITTED,
            "can_triage": may.can_act and is_open and awaiting is None,
            "proposals": proposals,
            "awaiting_sign_off": awaiting,
            "can_sign_off": awaiting is not None and may.may_sign_off(awaiting, request.user),
            "referrer_side": may.referrer_side,
            "information_requests": []
            if may.sent_away_at
            else information_requests_for(referral, viewer=request.user),
            "challenges": [] if may.sent_away_at else challenges,
            "can_challenge": may.referrer_side
            and referral.status == Status.DECIDED
            and not any(c.is_open for c in challenges),
            "answerable_challenges": {c.pk for c in challenges if c.is_open and may.may_answer(c)},
            "related_history": related_history(referral) if may.front_door_staff else [],
            # The rule the sender saw before sending (referrals.content).
            "vague_words": vague_words_in(referral.what_happened, referral.childs_experience)
            if may.front_door_staff
            else [],
            "family_history": [
                (adult, facts)
                for adult in referral.adults.all()
                if (facts := adult.history_for_the_front_door())
            ],
            "assignable": assignable_people(referral) if may.can_act and is_open else [],
            "can_convert": may.can_act and referral.kind == Kind.CONSULTATION,
            **police_status(referral),
            "can_tell_police": may.can_act,
            "strategy": strategy_for(referral),
            "can_record_strategy": may.can_act,
            "is_front_door": may.front_door_staff,
            "documents": list(attachments_visible_to(request.user, referral)),
            "can_attach": may.can_attach,
            "sent_away_at": may.sent_away_at,
            "transfers": list(
                referral.transfers.select_related("from_front_door", "to_front_door").order_by(
                    "transferred_at"
                )
            )
            if may.front_door_staff or may.sent_away_at
            else [],
            "can_transfer": may.can_act and is_open,
            "can_confirm_transfer": may.can_act,
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
    messages.success(request, f"{referral.reference} is now a referral. The sender has been told.")
    return redirect("referral-detail", reference=referral.reference)
