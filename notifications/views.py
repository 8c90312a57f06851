"""Pages about deliveries: an agency's status messages to its own systems."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role, Webhook
from agencies.selectors import get_access
from notifications.models import Notification


@login_required
def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    """The agency's webhooks and their recent deliveries, for its lead."""
    agencies = get_access(request.user).agency_ids_with({Role.AGENCY_LEAD})
    if not agencies:
        raise PermissionDenied("Only an agency's safeguarding lead can see its systems' deliveries")
    hooks = list(Webhook.objects.filter(agency_id__in=agencies).select_related("agency"))
    deliveries = list(
        Notification.objects.filter(webhook__agency_id__in=agencies)
        .select_related("referral", "webhook")
        .order_by("-created_at")[:100]
    )
    return render(request, "agencies/webhooks.html", {"hooks": hooks, "deliveries": deliveries})
