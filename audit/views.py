"""Who has looked at a referral: for a front door's administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role
from agencies.selectors import get_access
from audit.models import Action, AuditEvent
from audit.services import record_event
from referrals.selectors import get_referral_for_user


@login_required
def referral_audit(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    if referral.front_door_id not in get_access(request.user).front_door_ids_with({Role.ADMINISTRATOR}):
        raise PermissionDenied("Only the front door's administrators can see who viewed a referral")
    # Looking at the audit is itself recorded.
    record_event(actor=request.user, action=Action.VIEWED, object_type="referral_audit",
                 object_ref=referral.reference, request=request)
    events = AuditEvent.objects.filter(object_type="referral", object_ref=referral.reference).order_by("-at", "-id")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "audit/referral_audit.html", {"referral": referral, "page_obj": page, "query": ""})
