"""Pages about deliveries: an agency's status messages to its own systems,
and a front door's messages that could not be delivered."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from agencies.models import Role, Webhook
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from notifications.models import Notification
from notifications.selectors import failed_messages
from notifications.services import resend_failed


@login_required
def webhook_deliveries(request: AuthenticatedHttpRequest) -> HttpResponse:
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


@login_required
def undelivered_messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A front door's messages given up on, and a way to send them again: for
    its administrators (and managers, who see them on the dashboard)."""
    access = get_access(request.user)
    front_doors = access.front_door_ids_with({Role.ADMINISTRATOR, Role.MANAGER})
    if not front_doors:
        raise PermissionDenied(
            "Only a front door's administrators and managers can resend messages"
        )
    failed = failed_messages(front_doors)
    if request.method == "POST":
        chosen = failed
        if request.POST.get("which") != "all":
            ids = [int(i) for i in request.POST.getlist("message") if i.isascii() and i.isdigit()]
            chosen = failed.filter(pk__in=ids)
            if not ids:
                messages.error(request, "Select the messages to send again")
                return redirect("undelivered-messages")
        count = resend_failed(notifications=chosen, actor=request.user, origin=Origin.of(request))
        messages.success(
            request,
            f"{count} message{'' if count == 1 else 's'} will be sent again now, "
            "each with its own message id.",
        )
        return redirect("undelivered-messages")
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="notification",
        origin=Origin.of(request),
        detail={"page": "undelivered"},
    )
    return render(
        request,
        "notifications/undelivered.html",
        {"failed": list(failed[:200]), "total": failed.count()},
    )
