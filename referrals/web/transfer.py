"""Transferring a referral to the front door of the child's area, and
recording that a local authority elsewhere confirmed it has one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from agencies.selectors import front_doors
from audit.services import Origin
from core.http import AuthenticatedHttpRequest
from referrals.forms.triage import ELSEWHERE, TransferConfirmationForm, TransferForm
from referrals.models import TransferMethod
from referrals.selectors.access import get_referral_for_user, permissions_for, require
from referrals.services.transfer import confirm_transfer_received, transfer_referral
from referrals.web.triage import FRONT_DOOR_ONLY, _apply, _form_page


@login_required
def transfer(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    others = list(front_doors().exclude(pk=referral.front_door_id).order_by("name"))
    form = TransferForm(request.POST if request.method == "POST" else None, front_doors=others)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        elsewhere = data["to_front_door"] == ELSEWHERE
        destination = next((d for d in others if str(d.pk) == data["to_front_door"]), None)
        if _apply(
            form,
            lambda: transfer_referral(
                referral=referral,
                actor=request.user,
                reason=data["reason"],
                to_front_door=destination,
                to_authority=data["to_authority"] if elsewhere else "",
                method=data["method"] if elsewhere else TransferMethod.PORTAL,
                sent_to=data["sent_to"] if elsewhere else "",
                origin=Origin.of(request),
            ),
        ):
            if elsewhere:
                messages.success(
                    request,
                    f"Recorded as sent to {data['to_authority']}. The referrer has been told. "
                    "Record here when they confirm they have it.",
                )
                return redirect("referral-detail", reference=referral.reference)
            messages.success(
                request,
                f"{referral.reference} is now with {destination}. They and the referrer have "
                "been told. You can still see what you sent.",
            )
            return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title="Transfer this referral",
        button="Transfer",
        intro="Transfer it when the child lives in another area, or the family has moved. The "
        "reference and history go with it. A front door on Front Door receives it at once and "
        "its deadlines start now; you will no longer be able to act on it. For a local "
        "authority not on Front Door, send it to them first, then record it here.",
    )


@login_required
def confirm(request: AuthenticatedHttpRequest, reference: str, transfer_id: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_act, FRONT_DOOR_ONLY)
    sent = referral.transfers.filter(pk=transfer_id, awaiting_confirmation=True).first()
    if sent is None:
        raise Http404("No transfer waiting for confirmation")
    form = TransferConfirmationForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: confirm_transfer_received(
                transfer=sent,
                actor=request.user,
                confirmation=form.cleaned_data["confirmation"],
                origin=Origin.of(request),
            ),
        )
    ):
        messages.success(request, f"Recorded: {sent.to_authority} has the referral.")
        return redirect("referral-detail", reference=referral.reference)
    return _form_page(
        request,
        referral=referral,
        form=form,
        title=f"Record that {sent.to_authority} has the referral",
        button="Record confirmation",
        intro=f"Sent by {sent.get_method_display().lower()} to {sent.sent_to}. Until someone "
        "there confirms they have it, it is escalated to your managers.",
    )
