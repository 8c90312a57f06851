"""Pages about deliveries: an agency's status messages to its own systems,
and a front door's messages that could not be delivered."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agencies.models import Role, Webhook
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from notifications.models import Notification
from notifications.receipts import record_delivery_receipt
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


def _bearer_ok(request: HttpRequest) -> bool:
    """The callback's bearer token, compared in constant time. With no token
    configured every receipt is refused."""
    expected = settings.NOTIFY_CALLBACK_BEARER_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    return bool(expected) and hmac.compare_digest(
        f"{scheme.lower()} {token.strip()}".encode(), f"bearer {expected}".encode()
    )


def _errors(status: int, errors: dict[str, str]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


@csrf_exempt
@require_POST
def notify_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt for one message (its callback). Not
    a person's page: Notify signs in with the bearer token set in its
    callback settings. Answers 200 for a receipt it has taken, even one for
    a message it does not know (Notify would otherwise send it again and
    again); 400 with field errors for a body it cannot read."""
    if not _bearer_ok(request):
        return _errors(403, {"authorization": "Send the callback's bearer token"})
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _errors(400, {"body": "Send the receipt as JSON"})
    if not isinstance(payload, dict):
        return _errors(400, {"body": "Send the receipt as a JSON object"})
    problems = {
        field: f"Enter the receipt's {field}"
        for field in ("id", "reference", "status")
        if not isinstance(payload.get(field), str) or not payload.get(field)
    }
    completed_raw = payload.get("completed_at")
    completed_at = None
    if completed_raw:
        try:
            completed_at = parse_datetime(str(completed_raw))
        except ValueError:
            completed_at = None
        if completed_at is None or completed_at.tzinfo is None:
            problems["completed_at"] = "Enter completed_at as a date and time with its time zone"
    if problems:
        return _errors(400, problems)
    outcome = record_delivery_receipt(
        reference=payload["reference"],
        provider_id=payload["id"][:64],
        status=payload["status"],
        completed_at=completed_at,
    )
    return JsonResponse({"result": outcome})
