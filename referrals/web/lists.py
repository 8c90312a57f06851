"""Lists of referrals: "Your referrals" for the referrer's side and the
front door's queue."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.selectors import lists

PAGE_SIZE = 50
# The front door's questions listed in the banner on "Your referrals".
QUESTIONS_SHOWN = 5


def _page(request: HttpRequest, queryset: Any) -> Page:
    # Unknown or out-of-range page numbers show the nearest real page.
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def sent_referrals(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = _page(request, lists.sent_referrals(request.user))
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="referral",
        origin=Origin.of(request),
        detail={"page": "sent", "number": page.number},
    )
    return render(
        request,
        "referrals/sent_list.html",
        {
            "referrals": page.object_list,
            "page_obj": page,
            "now": timezone.now(),
            "is_lead": get_access(request.user).has_role(Role.AGENCY_LEAD),
            "can_send": get_access(request.user).can_send,
            "questions": list(lists.questions_for_referrer(request.user)[:QUESTIONS_SHOWN]),
            "question_count": lists.questions_for_referrer(request.user).count(),
        },
    )


@login_required
def front_door_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_access(request.user).is_front_door_staff:
        raise PermissionDenied("Only front-door staff can see the queue")
    filters = lists.QueueFilters.from_query(request.GET)
    page = _page(request, lists.front_door_queue(request.user, filters))
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="referral",
        origin=Origin.of(request),
        detail={"page": "queue", "number": page.number},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/queue.html",
        {
            "referrals": page.object_list,
            "page_obj": page,
            "now": timezone.now(),
            "filters": filters,
            "choices": lists.queue_filter_choices(request.user),
            "query": query.urlencode(),
        },
    )
