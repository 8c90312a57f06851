"""The public page: report a concern about a child, without an account.

Abuse-resistant without turning real reporters away: a budget of reports per
address an hour (then: please phone), a field only robots fill in, limits on
every answer's length, and nothing that says whether an email address or a
name is known to Front Door.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from audit.models import Action
from audit.services import Origin, client_ip, record_event
from core.throttling import within_budget
from referrals.forms.public import PublicReportForm
from referrals.services.contacts import public_front_door, record_public_report

BUDGET_WINDOW_SECONDS = 3600


@never_cache
def report_a_concern(request: HttpRequest) -> HttpResponse:
    front_door = public_front_door()
    if front_door is None:
        return render(request, "referrals/public/unavailable.html", status=503)
    form = PublicReportForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "referrals/public/report.html", {"form": form})
    origin = Origin.of(request)
    if form.is_robot:
        # Looks like any other thank-you to whoever filled it in; nothing is
        # recorded but the refusal.
        record_event(
            actor=None,
            action=Action.REFUSED,
            object_type="public_report",
            origin=origin,
            detail={"reason": "honeypot"},
        )
        return render(request, "referrals/public/thanks.html", {"referral": None})
    if not form.is_valid():
        # 200, as every question page: the error summary says what to fix.
        return render(request, "referrals/public/report.html", {"form": form})
    # Counted only for reports that would be recorded: a person correcting a
    # mistake on the page is not held back by their own errors.
    key = f"throttle_public_report:{client_ip(request) or 'unknown'}"
    if not within_budget(
        key, limit=settings.PUBLIC_REPORTS_PER_HOUR, window_seconds=BUDGET_WINDOW_SECONDS
    ):
        record_event(
            actor=None,
            action=Action.REFUSED,
            object_type="public_report",
            origin=origin,
            detail={"reason": "too many reports from one address"},
        )
        return render(
            request,
            "referrals/public/report.html",
            {"form": form, "too_many": True, "front_door": front_door},
            status=429,
        )
    referral = record_public_report(answers=form.cleaned_data, front_door=front_door, origin=origin)
    return render(
        request,
        "referrals/public/thanks.html",
        {"referral": referral, "front_door": front_door, "emailed": bool(referral.source_email)},
    )
