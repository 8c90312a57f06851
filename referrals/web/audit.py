"""Who has looked at a referral: for a front door's administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from audit.models import Action, AuditEvent
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.selectors.access import get_referral_for_user, permissions_for, require


@login_required
def referral_audit(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(
        permissions_for(request.user, referral).administrator,
        "Only the front door's administrators can see who viewed a referral",
    )
    # Looking at the audit is itself recorded.
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral_audit",
        object_ref=referral.reference,
        origin=Origin.of(request),
    )
    events = AuditEvent.objects.filter(
        object_type="referral", object_ref=referral.reference
    ).order_by("-at", "-id")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(
        request, "audit/referral_audit.html", {"referral": referral, "page_obj": page, "query": ""}
    )
