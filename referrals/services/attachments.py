"""Attaching documents to a referral or to an answer to the front door's
question. The file has been checked and scanned already
(documents.services.receive_file); here it is stored and recorded on the
referral, within the per-referral limits, in one transaction with the
timeline line and the audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from documents.checks import size_in_words
from documents.models import Document
from documents.services import ReceivedFile, store_document
from referrals.models import Attachment, Draft, EventKind, InformationRequest, Referral
from referrals.selectors.access import permissions_for, require
from referrals.services.common import add_event

ATTACH_NOT_ALLOWED = "Only the referrer's side or the front door can add documents to a referral"


def check_room_for(
    referral: Referral | None,
    files: Sequence[ReceivedFile],
    *,
    field: str,
    draft: Draft | None = None,
) -> None:
    """Refuse files that would take the referral (or the draft that will be
    one) past its limits: how many documents, and their total size."""
    if not files:
        return
    held_here = (
        Attachment.objects.filter(referral=referral)
        if referral is not None
        else Attachment.objects.filter(draft=draft)
    )
    held = held_here.aggregate(count=Count("id"), size=Sum("document__size"))
    count, size = held["count"], held["size"] or 0
    if count + len(files) > settings.DOCUMENTS_PER_REFERRAL:
        raise ValidationError(
            {
                field: f"A referral can have up to {settings.DOCUMENTS_PER_REFERRAL} documents. "
                f"This one has {count}"
            }
        )
    if size + sum(len(f.data) for f in files) > settings.DOCUMENTS_MAX_BYTES_PER_REFERRAL:
        limit = size_in_words(settings.DOCUMENTS_MAX_BYTES_PER_REFERRAL)
        raise ValidationError(
            {field: f"The documents on a referral must add up to less than {limit}"}
        )


def store_attachments(
    *,
    referral: Referral,
    files: Sequence[ReceivedFile],
    actor: User,
    now: dt.datetime,
    information_request: InformationRequest | None = None,
    field: str = "file",
) -> list[Attachment]:
    """Store files on a referral inside the caller's transaction, with the
    referral row locked so two uploads at once cannot pass its limits."""
    if not files:
        return []
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    check_room_for(referral, files, field=field)
    from_other_agency = information_request is not None and bool(information_request.to_agency_id)
    attachments = [
        Attachment.objects.create(
            referral=referral,
            information_request=information_request,
            document=store_document(received=received, actor=actor),
            added_by=actor,
            added_at=now,
            front_door_only=from_other_agency,
        )
        for received in files
    ]
    names = ", ".join(a.document.name for a in attachments)
    add_event(
        referral,
        EventKind.DOCUMENT_ADDED,
        actor,
        f"{display_name(actor)} added {names}",
        now,
        front_door_only=from_other_agency,
    )
    return attachments


def attach_to_referral(
    *,
    referral: Referral,
    received: ReceivedFile,
    actor: User,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Attachment:
    """The referrer's side or the front door adds a document to a referral."""
    require(permissions_for(actor, referral).can_attach, ATTACH_NOT_ALLOWED)
    now = now or timezone.now()
    with transaction.atomic():
        (attachment,) = store_attachments(referral=referral, files=[received], actor=actor, now=now)
        record_event(
            actor=actor,
            action=Action.CREATED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"document": attachment.pk, "file": attachment.document.name},
        )
    return attachment


def attach_to_draft(
    *,
    draft: Draft,
    received: ReceivedFile,
    actor: User,
    now: dt.datetime | None = None,
) -> Attachment:
    """The author adds a document to their draft; it goes with the referral
    when the draft is sent. Private to the author until then."""
    if draft.author_id != actor.pk:
        raise PermissionDenied("Only the draft's author can add documents to it")
    now = now or timezone.now()
    with transaction.atomic():
        Draft.objects.select_for_update().filter(pk=draft.pk).first()
        check_room_for(None, [received], field="file", draft=draft)
        return Attachment.objects.create(
            draft=draft,
            document=store_document(received=received, actor=actor),
            added_by=actor,
            added_at=now,
        )


def delete_documents_of_drafts(drafts: QuerySet[Draft]) -> None:
    """Before drafts are deleted (by their author or by retention): their
    documents, and the files once that commits."""
    documents = list(Document.objects.filter(attachment__draft__in=drafts))
    Attachment.objects.filter(draft__in=drafts).delete()
    Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
    for document in documents:
        if document.file:
            transaction.on_commit(partial(document.file.storage.delete, document.file.name))


def take_documents_of_draft(draft: Draft) -> list[int]:
    """Step one of sending a draft, before the draft is deleted: unhook its
    documents so they outlive it. Returns them for `give_documents_to`."""
    ids = list(Attachment.objects.filter(draft=draft).values_list("pk", flat=True))
    Attachment.objects.filter(pk__in=ids).update(draft=None)
    return ids


def give_documents_to(referral: Referral, attachment_ids: list[int], now: dt.datetime) -> None:
    """Step two: the documents are the new referral's."""
    if not attachment_ids:
        return
    Attachment.objects.filter(pk__in=attachment_ids).update(referral=referral)
    names = ", ".join(
        Attachment.objects.filter(pk__in=attachment_ids)
        .order_by("pk")
        .values_list("document__name", flat=True)
    )
    add_event(referral, EventKind.DOCUMENT_ADDED, referral.sender, f"Sent with {names}", now)
