"""The strategy discussion's pages: recording it and the conference that
follows (front door), and an invited agency's list of its discussions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.forms.triage import ConferenceForm, StrategyRecordForm
from referrals.messages import when
from referrals.selectors.access import get_referral_for_user, permissions_for, require
from referrals.selectors.strategy import invited_discussions, strategy_for
from referrals.services.strategy import record_conference, record_strategy_discussion
from referrals.web.lists import _page
from referrals.web.triage import FRONT_DOOR_ONLY, _apply, _form_page


def _discussion(request: AuthenticatedHttpRequest, reference: str):  # type: ignore[no-untyped-def]
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    discussion = strategy_for(referral)
    if discussion is None:
        raise Http404("No strategy discussion for this referral")
    return referral, discussion


@login_required
def record(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral, discussion = _discussion(request, reference)
    if not discussion.is_open:
        messages.info(request, "This strategy discussion is already recorded.")
        return redirect("referral-detail", reference=referral.reference)
    participants = list(discussion.participants.all())
    form = StrategyRecordForm(
        request.POST if request.method == "POST" else None, participants=participants
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: record_strategy_discussion(
                discussion=discussion,
                actor=request.user,
                held_at=form.held_at(),
                took_part=[int(pk) for pk in form.cleaned_data["took_part"]],
                outcome=form.cleaned_data["outcome"],
                next_steps=form.cleaned_data["next_steps"],
                conference_follows=form.cleaned_data["conference_follows"] == "yes",
                conference_date=form.cleaned_data["conference_date"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(
            request, "Strategy discussion recorded. Everyone invited on the portal has been told."
        )
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Record the strategy discussion",
        button="Record the discussion",
        intro=f"It was due by {when(discussion.due_by)}.",
    )


@login_required
def conference(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral, discussion = _discussion(request, reference)
    if not discussion.conference_open:
        messages.info(request, "No conference is waiting to be recorded.")
        return redirect("referral-detail", reference=referral.reference)
    form = ConferenceForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: record_conference(
                discussion=discussion,
                actor=request.user,
                held_on=form.cleaned_data["held_on"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(request, "Initial child protection conference recorded.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Record the initial child protection conference",
        button="Record the conference",
    )


@login_required
def invited(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = _page(request, invited_discussions(request.user))
    record_event(
        actor=request.user,
        action=Action.LISTED,
        object_type="referral",
        origin=Origin.of(request),
        detail={"page": "strategy_discussions", "number": page.number},
    )
    return render(
        request,
        "referrals/strategy/invited.html",
        {"discussions": page.object_list, "page_obj": page, "now": timezone.now()},
    )
