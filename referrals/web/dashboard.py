"""The managers' dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.selectors.dashboard import manager_dashboard as dashboard_for
from referrals.selectors.strategy_dashboard import strategy_panel


@login_required
def manager_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_access(request.user).can_see_dashboard:
        raise PermissionDenied("Only front-door managers can see the dashboard")
    now = timezone.now()
    dashboard = dashboard_for(request.user, now=now)
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="referral",
        origin=Origin.of(request),
        detail={"page": "dashboard"},
    )
    return render(
        request,
        "referrals/dashboard.html",
        {
            "dashboard": dashboard,
            "now": now,
            "strategy_panel": strategy_panel(request.user, now=now),
        },
    )
