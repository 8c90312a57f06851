"""The police's own pages: the list of referrals their force was told about,
one referral as a strategy discussion needs it, and the officer's
acknowledgement. And the front door's action that tells the police about a
possible crime. Officers never reach a referral's own page: everything they
see comes through `get_police_notice_for_user`, and every view is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from core.names import display_name
from referrals.forms.triage import PossibleCrimeForm
from referrals.selectors.access import (
    get_police_notice_for_user,
    get_referral_for_user,
    permissions_for,
    police_forces_of,
    require,
)
from referrals.selectors.police import police_list, police_view_of
from referrals.services.police import (
    PoliceAlreadyAcknowledged,
    acknowledge_for_police,
    mark_possible_crime,
)
from referrals.web.lists import _page
from referrals.web.triage import FRONT_DOOR_ONLY, _apply, _form_page


@login_required
def police_referrals(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not police_forces_of(request.user):
        raise PermissionDenied("Only police officers can see the police's referrals")
    page = _page(request, police_list(request.user))
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="referral",
        origin=Origin.of(request),
        detail={"page": "police", "number": page.number},
    )
    return render(
        request,
        "referrals/police/list.html",
        {"notices": page.object_list, "page_obj": page, "now": timezone.now()},
    )


@login_required
def police_referral(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    notice = get_police_notice_for_user(request.user, reference)
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral",
        object_ref=notice.referral.reference,
        origin=Origin.of(request),
        detail={"page": "police"},
    )
    return render(
        request,
        "referrals/police/detail.html",
        {**police_view_of(notice), "now": timezone.now()},
    )


@login_required
@require_POST
def police_acknowledge(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    notice = get_police_notice_for_user(request.user, reference)
    try:
        acknowledge_for_police(notice=notice, actor=request.user, origin=Origin.of(request))
    except PoliceAlreadyAcknowledged as exc:
        who = exc.notice.acknowledged_by
        name = display_name(who) if who else "another officer"
        messages.info(request, f"{reference} was already acknowledged by {name}.")
    else:
        messages.success(
            request, f"You acknowledged {notice.referral.reference}. The front door can see it."
        )
    return redirect("police-referral", reference=notice.referral.reference)


@login_required
def possible_crime(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    form = PossibleCrimeForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: mark_possible_crime(
                referral=referral,
                actor=request.user,
                note=form.cleaned_data["note"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(
            request, "The police have been told. An officer must acknowledge it in Front Door."
        )
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Tell the police about a possible crime",
        button="Tell the police",
        intro="The police see this referral on their own page, with what a strategy discussion "
        "needs, and a named officer must acknowledge it.",
    )
