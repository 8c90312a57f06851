"""A subject-access export: everything this front door holds about a child.

Found by NHS number, or by last name and date of birth (as a person asking
for their records, or their parent, would give them). The export is for the
information governance team to review: it marks what is about other people
(other children, adults, the professionals who wrote it) so they can decide
what to redact before anything is released.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from referrals.models import Child, LinkStatus, Referral, ReferralLink

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


def matching_children(
    front_door_id: int,
    *,
    nhs_number: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
) -> models.QuerySet[Child]:
    """Children on this front door's referrals who are the person asked about."""
    match = Q()
    digits = "".join(ch for ch in nhs_number if ch.isdigit())
    nhs = f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else ""
    if nhs:
        match |= Q(nhs_number=nhs)
    if last_name and date_of_birth:
        match |= Q(last_name__iexact=last_name.strip(), date_of_birth=date_of_birth)
    if not match:
        return Child.objects.none()
    return Child.objects.filter(match, referral__front_door_id=front_door_id)


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
    last_name: str = "",
    date_of_birth: dt.date | None = None,
) -> dict[str, Any]:
    subjects = list(
        matching_children(
            front_door_id, nhs_number=nhs_number, last_name=last_name, date_of_birth=date_of_birth
        ).values_list("pk", "referral_id")
    )
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
                "children": [
                    {"third_party": child.pk not in subject_ids, **_row(child)}
                    for child in referral.children.all()
                ],
                "adults": [{"third_party": True, **_row(adult)} for adult in referral.adults.all()],
                "other_agencies_involved": [
                    _row(item) for item in referral.involved_agencies.all()
                ],
                "previous_areas": [_row(item) for item in referral.previous_areas.all()],
                "history": [_row(event) for event in referral.events.all()],
                "information_requests": [
                    _row(item) for item in referral.information_requests.all()
                ],
                "challenges": [_row(item) for item in referral.challenges.all()],
                "escalations": [_row(item) for item in referral.escalations.all()],
                "earlier_history_links": [_row(item) for item in referral.links.all()],
                "found_through": "the child's details"
                if referral.pk in direct
                else "a confirmed link to an earlier or later referral about the same child",
                "messages_sent": [
                    _row(
                        note,
                        skip=(
                            "id",
                            "referral",
                            "body",
                            "claim_token",
                            "idempotency_key",
                            "webhook",
                        ),
                    )
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
            "last_name": last_name,
            "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
        },
        "note": NOTE,
        "referral_count": len(out),
        "referrals": out,
    }
