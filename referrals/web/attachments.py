"""Documents on a referral: adding one, and opening one. Every download goes
through the access path (referrals.selectors.access) and is audited; none
is served from a public URL."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.forms.attachments import AttachmentForm
from referrals.models import Attachment
from referrals.selectors.access import (
    get_attachment_for_user,
    get_referral_for_user,
    permissions_for,
    require,
)
from referrals.selectors.drafts import get_draft
from referrals.services.attachments import ATTACH_NOT_ALLOWED, attach_to_draft, attach_to_referral


@login_required
def add_document(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, reference)
    require(permissions_for(request.user, referral).can_attach, ATTACH_NOT_ALLOWED)
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        actor=request.user,
        object_ref=referral.reference,
        origin=Origin.of(request),
    )
    if request.method == "POST" and form.is_valid() and form.received is not None:
        try:
            attachment = attach_to_referral(
                referral=referral,
                received=form.received,
                actor=request.user,
                origin=Origin.of(request),
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                form.add_error("file", errors)
        else:
            if attachment.document.may_be_opened:
                messages.success(request, f"{attachment.document.name} has been added.")
            else:
                messages.info(
                    request,
                    f"{attachment.document.name} has been added. It is waiting for a virus "
                    "check and can be opened once it has passed.",
                )
            return redirect("referral-detail", reference=referral.reference)
    return render(request, "referrals/attachments/add.html", {"referral": referral, "form": form})


def document_response(attachment: Attachment) -> FileResponse:
    """The file as a download, never shown in the browser: an attachment, of
    the type its content was found to be, nothing cached."""
    document = attachment.document
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
def download(request: AuthenticatedHttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = get_attachment_for_user(request.user, attachment_id)
    if not attachment.document.may_be_opened:
        raise Http404("This document cannot be opened")
    record_event(
        actor=request.user,
        action=Action.VIEWED,
        object_type="referral" if attachment.referral else "draft",
        object_ref=attachment.referral.reference if attachment.referral else "",
        origin=Origin.of(request),
        detail={"page": "document", "document": attachment.pk, "file": attachment.document.name},
    )
    return document_response(attachment)


@login_required
def add_draft_document(request: AuthenticatedHttpRequest, draft_id: str) -> HttpResponse:
    """A document added while the referral is being written; it is sent with it."""
    draft = get_draft(request.user, draft_id)
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        actor=request.user,
        object_ref="",
        origin=Origin.of(request),
    )
    if request.method == "POST" and form.is_valid() and form.received is not None:
        try:
            attachment = attach_to_draft(draft=draft, received=form.received, actor=request.user)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                form.add_error("file", errors)
        else:
            messages.success(
                request,
                f"{attachment.document.name} has been added. It will be sent with the referral.",
            )
            return redirect("draft-check", draft.pk)
    return render(request, "referrals/attachments/add.html", {"draft": draft, "form": form})
