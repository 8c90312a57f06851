"""Pages about referrals: thin views that call one service or selector each."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import ACKNOWLEDGING_ROLES, FRONT_DOOR_ROLES, Role
from agencies.selectors import get_access
from audit.models import Action
from audit.services import record_event
from referrals import selectors
from referrals.matching import earlier_history
from referrals.models import OPEN_STATUSES, Kind, Status
from referrals.services import AlreadyAcknowledged, acknowledge_referral, convert_to_referral
from referrals.triage import assignable_people


def _audit_view(request: HttpRequest, reference: str, page: str) -> None:
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=reference,
        request=request,
        detail={"page": page},
    )


@login_required
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "receipt")
    return render(request, "referrals/receipt.html", {"referral": referral})


PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: Any) -> Page:
    # Unknown or out-of-range page numbers show the nearest real page.
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def sent_referrals(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.sent_referrals(request.user))
    record_event(actor=request.user, action=Action.LISTED, object_type="referral",
                 request=request, detail={"page": "sent", "number": page.number})
    return render(request, "referrals/sent_list.html", {
        "referrals": page.object_list, "page_obj": page, "now": timezone.now(),
        "is_lead": get_access(request.user).has_role(Role.AGENCY_LEAD),
    })


@login_required
def front_door_queue(request: HttpRequest) -> HttpResponse:
    if not get_access(request.user).is_front_door_staff:
        raise PermissionDenied("Only front-door staff can see the queue")
    filters = selectors.QueueFilters.from_query(request.GET)
    page = _page(request, selectors.front_door_queue(request.user, filters))
    record_event(actor=request.user, action=Action.LISTED, object_type="referral",
                 request=request, detail={"page": "queue", "number": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "referrals/queue.html", {
        "referrals": page.object_list, "page_obj": page, "now": timezone.now(),
        "filters": filters, "choices": selectors.queue_filter_choices(request.user),
        "query": query.urlencode(),
    })


@login_required
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    _audit_view(request, referral.reference, "detail")
    selectors.with_parts(referral)
    access = get_access(request.user)
    police = list(referral.notifications.filter(purpose="police").order_by("id"))
    can_act = referral.front_door_id in access.front_door_ids_with(ACKNOWLEDGING_ROLES)
    can_acknowledge = can_act and referral.status == Status.SUBMITTED
    is_front_door = referral.front_door_id in access.front_door_ids_with(FRONT_DOOR_ROLES)
    referrer_side = referral.sender_id == request.user.pk or referral.sending_agency_id in access.agency_ids_with(
        {Role.AGENCY_LEAD}
    )
    challenges = list(referral.challenges.select_related("raised_by", "responded_by"))
    answers_challenges = referral.front_door_id in access.front_door_ids_with({Role.MANAGER, Role.SENIOR_MANAGER})
    seniors = referral.front_door_id in access.front_door_ids_with({Role.SENIOR_MANAGER})
    escalations = selectors.escalations_for(referral)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "timeline": selectors.timeline(referral, viewer=request.user, escalations=escalations),
            "escalations": escalations,
            "can_acknowledge": can_acknowledge,
            "can_triage": can_act and referral.status in OPEN_STATUSES,
            "referrer_side": referrer_side,
            "information_requests": selectors.information_requests_for(referral, viewer=request.user),
            "challenges": challenges,
            "can_challenge": referrer_side and referral.status == Status.DECIDED
            and not any(c.is_open for c in challenges),
            "answerable_challenges": {
                c.pk for c in challenges
                if c.is_open and answers_challenges and (c.escalation_level == 0 or seniors)
            },
            "earlier_history": earlier_history(referral) if is_front_door else [],
            "assignable": assignable_people(referral) if can_act and referral.status in OPEN_STATUSES else [],
            "can_convert": can_act and referral.kind == Kind.CONSULTATION,
            "police_notifications": police,
            "is_front_door": is_front_door,
            "is_administrator": referral.front_door_id in access.front_door_ids_with({Role.ADMINISTRATOR}),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    try:
        acknowledge_referral(referral=referral, actor=request.user, via="web", request=request)
    except AlreadyAcknowledged as exc:
        who = exc.referral.acknowledged_by
        name = (who.get_full_name() or who.get_username()) if who else "someone else"
        messages.info(request, f"{referral.reference} was already acknowledged by {name}.")
    else:
        messages.success(request, f"You acknowledged {referral.reference}. The sender has been told.")
    return redirect("referral-detail", reference=referral.reference)


@login_required
@require_POST
def convert(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, reference)
    convert_to_referral(referral=referral, actor=request.user, via="web", request=request)
    messages.success(request, f"{referral.reference} is now a referral. The sender has been told.")
    return redirect("referral-detail", reference=referral.reference)


@login_required
def manager_dashboard(request: HttpRequest) -> HttpResponse:
    if not get_access(request.user).can_see_dashboard:
        raise PermissionDenied("Only front-door managers can see the dashboard")
    now = timezone.now()
    dashboard = selectors.manager_dashboard(request.user, now=now)
    record_event(actor=request.user, action=Action.LISTED, object_type="referral",
                 request=request, detail={"page": "dashboard"})
    return render(request, "referrals/dashboard.html", {"dashboard": dashboard, "now": now})
