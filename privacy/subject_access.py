"""A subject-access export: everything this front door holds about a child.

Found by NHS number, or by first and last name and date of birth (as a
person asking for their records, or their parent, would give them): a last
name and a date of birth alone found another family's child, so the first
name must match too (tolerant of typos and name order: see
referrals.selectors.matching). The export is for the
information governance team to review: it marks what is about other people
(other children, adults, the professionals who wrote it) so they can decide
what to redact before anything is released.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from documents.models import Document
from referrals.models import Attachment, Child, LinkStatus, Referral, ReferralLink
from referrals.selectors.matching import names_match

PEOPLE_ON_A_REFERRAL = ("sender", "acknowledged_by", "assigned_to", "decided_by")

NOTE = (
    "Prepared for a subject access request. Review before release: entries marked "
    "'third_party' are about other people, and information from other agencies or that "
    "could cause serious harm may be withheld under the Data Protection Act 2018 "
    "(Schedule 2, Part 3 and Schedule 3). Nothing here has been redacted."
)


def _value(obj: models.Model, field: models.Field) -> Any:
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        if related is None:
            return None
        return related.get_username() if hasattr(related, "get_username") else str(related)
    value = getattr(obj, field.attname)
    if field.choices and value not in ("", None):
        return {"code": value, "label": getattr(obj, f"get_{field.name}_display")()}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(obj: models.Model, *, skip: tuple[str, ...] = ("id", "referral")) -> dict[str, Any]:
    return {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in skip
    }


def document_path(attachment: Attachment) -> str:
    """Where an attached document's file is in the export's archive."""
    reference = attachment.referral.reference if attachment.referral else "draft"
    return f"documents/{reference}/{attachment.pk}-{attachment.document.name}"


def document_entry(attachment: Attachment) -> dict[str, Any]:
    document = attachment.document
    return {
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "added_by": attachment.added_by.get_username(),
        "added_at": attachment.added_at.isoformat(),
        "with_an_answer_to_a_question": attachment.information_request_id is not None,
        "virus_check": document.get_status_display(),
        # Only a document that passed its virus check is put in the archive.
        "file": document_path(attachment) if document.may_be_opened else None,
    }


def export_documents(references: list[str]) -> list[tuple[str, Document]]:
    """The files of the exported referrals' documents that passed their
    virus check, with their paths in the archive."""
    return [
        (document_path(attachment), attachment.document)
        for attachment in Attachment.objects.filter(referral__reference__in=references)
        .select_related("referral", "document")
        .order_by("referral__reference", "pk")
        if attachment.document.may_be_opened
    ]


def export_archive(export: dict[str, Any]) -> bytes:
    """The export as a ZIP: subject-access.json and the documents' files."""
    references = [item["reference"] for item in export["referrals"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.json", json.dumps(export, indent=2, ensure_ascii=False))
        for path, document in export_documents(references):
            with document.file.open("rb") as handle:
                archive.writestr(path, handle.read())
    return buffer.getvalue()


def matching_children(
    front_door_id: int,
    *,
    nhs_number: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
) -> list[Child]:
    """Children on this front door's referrals who are the person asked
    about: the same NHS number, or the same date of birth and the same name
    (first and last)."""
    digits = "".join(ch for ch in nhs_number if ch.isdigit())
    nhs = f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else ""
    mine = Child.objects.filter(referral__front_door_id=front_door_id)
    found: dict[int, Child] = {}
    if nhs:
        found.update({c.pk: c for c in mine.filter(nhs_number=nhs)})
    if first_name.strip() and last_name.strip() and date_of_birth:
        for child in mine.filter(date_of_birth=date_of_birth):
            if names_match(first_name, last_name, child.first_name, child.last_name):
                found[child.pk] = child
    return list(found.values())


def _with_linked_history(referral_ids: set[int], front_door_id: int) -> set[int]:
    """Add every referral confirmed as the same child's history, either way,
    however far the chain goes (a name changed, a typo in the date of birth)."""
    found = set(referral_ids)
    frontier = set(referral_ids)
    while frontier:
        pairs = ReferralLink.objects.filter(
            Q(referral_id__in=frontier) | Q(earlier_id__in=frontier),
            status=LinkStatus.CONFIRMED,
            referral__front_door_id=front_door_id,
            earlier__front_door_id=front_door_id,
        ).values_list("referral_id", "earlier_id")
        frontier = {pk for pair in pairs for pk in pair} - found
        found |= frontier
    return found


def export_for_child(
    front_door_id: int,
    *,
    nhs_number: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
) -> dict[str, Any]:
    subjects = [
        (child.pk, child.referral_id)
        for child in matching_children(
            front_door_id,
            nhs_number=nhs_number,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
        )
    ]
    subject_ids = {pk for pk, _ in subjects}
    referral_ids = _with_linked_history({rid for _, rid in subjects}, front_door_id)
    referrals = (
        Referral.objects.filter(pk__in=referral_ids)
        .select_related(
            "front_door", "sending_agency", "sender", "acknowledged_by", "assigned_to", "decided_by"
        )
        .prefetch_related(
            "children",
            "adults",
            "involved_agencies",
            "previous_areas",
            "events__actor",
            "information_requests__asked_by",
            "information_requests__answered_by",
            "information_requests__to_agency",
            "challenges__raised_by",
            "challenges__responded_by",
            "escalations",
            "notifications__recipient",
            "links__earlier",
            "links__decided_by",
            "attachments__document",
            "attachments__added_by",
        )
        .order_by("received_at")
    )
    direct = {rid for _, rid in subjects}
    references = []
    out = []
    for referral in referrals:
        references.append(referral.reference)
        out.append(
            {
                "reference": referral.reference,
                "referral": _row(referral, skip=("id",)),
                # Fields of the referral that name other people: the
                # professionals who sent, acknowledged, held or decided it.
                "third_party_fields": list(PEOPLE_ON_A_REFERRAL),
                "children": [
                    {"third_party": child.pk not in subject_ids, **_row(child)}
                    for child in referral.children.all()
                ],
                "adults": [{"third_party": True, **_row(adult)} for adult in referral.adults.all()],
                "other_agencies_involved": [
                    {"third_party": True, **_row(item)} for item in referral.involved_agencies.all()
                ],
                "previous_areas": [_row(item) for item in referral.previous_areas.all()],
                "history": [
                    {"third_party": event.actor_id is not None, **_row(event)}
                    for event in referral.events.all()
                ],
                "information_requests": [
                    {"third_party": True, **_row(item)}
                    for item in referral.information_requests.all()
                ],
                "challenges": [
                    {"third_party": True, **_row(item)} for item in referral.challenges.all()
                ],
                "escalations": [_row(item) for item in referral.escalations.all()],
                # Only links confirmed as the same child: one marked "not the
                # same" is about somebody else.
                "earlier_history_links": [
                    {"third_party": True, **_row(item)}
                    for item in referral.links.all()
                    if item.status == LinkStatus.CONFIRMED
                ],
                # Documents attached by professionals; the files themselves
                # are in the export's documents/ folder (export_archive).
                "documents": [
                    {"third_party": True, **document_entry(item)}
                    for item in referral.attachments.all()
                ],
                "found_through": "the child's details"
                if referral.pk in direct
                else "a confirmed link to an earlier or later referral about the same child",
                "messages_sent": [
                    {
                        "third_party": True,
                        **_row(
                            note,
                            skip=(
                                "id",
                                "referral",
                                "body",
                                "claim_token",
                                "idempotency_key",
                                "webhook",
                            ),
                        ),
                    }
                    for note in referral.notifications.all()
                ],
            }
        )
    viewed = (
        AuditEvent.objects.filter(object_type="referral", object_ref__in=references)
        .order_by("at")
        .values("at", "actor_label", "action", "object_ref", "via")
    )
    for entry in out:
        entry["who_saw_or_changed_it"] = [
            {
                "third_party": True,
                "at": row["at"].isoformat(),
                "who": row["actor_label"],
                "what": row["action"],
                "via": row["via"],
            }
            for row in viewed
            if row["object_ref"] == entry["reference"]
        ]
    return {
        "generated_at": timezone.now().isoformat(),
        "search": {
            "nhs_number": "".join(nhs_number.split()),
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
        },
        "note": NOTE,
        "referral_count": len(out),
        "referrals": out,
    }
