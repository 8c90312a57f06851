"""Reads of referrals. Every read goes through `referrals_visible_to`.

Who sees what (one rule per line):
- a referrer sees the referrals they sent;
- an agency safeguarding lead sees every referral their agency sent;
- front-door staff see every referral sent to their front door;
- nobody else sees any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When, prefetch_related_objects
from django.http import Http404

from agencies.models import FRONT_DOOR_ROLES, Role
from agencies.selectors import get_access
from notifications.models import DeliveryStatus, Notification
from referrals.models import (
    OPEN_STATUSES,
    Challenge,
    Child,
    Escalation,
    InformationRequest,
    Referral,
    Status,
    Urgency,
)
from referrals.references import normalise_reference

User = AbstractBaseUser | AnonymousUser


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    access = get_access(user)
    if access.user_id is None:
        return Referral.objects.none()
    rule = Q(sender_id=access.user_id)
    lead_agencies = access.agency_ids_with({Role.AGENCY_LEAD})
    if lead_agencies:
        rule |= Q(sending_agency_id__in=lead_agencies)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    if front_doors:
        rule |= Q(front_door_id__in=front_doors)
    return Referral.objects.filter(rule)


def get_referral_for_user(user: User, reference: str) -> Referral:
    """The one way to look up a referral. Missing and not-yours are the same 404,
    so nobody can learn that a reference exists by guessing."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("No referral with that reference")
    try:
        return (
            referrals_visible_to(user)
            .select_related("sender", "sending_agency", "front_door", "acknowledged_by")
            .get(reference=canonical)
        )
    except Referral.DoesNotExist as exc:
        raise Http404("No referral with that reference") from exc


def _list_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What every list of referrals shows, in a fixed number of queries."""
    return (
        queryset.select_related("sending_agency", "acknowledged_by", "sender", "assigned_to")
        .only(
            "decision", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
            "reference", "kind", "urgency", "status", "received_at", "acknowledge_by",
            "decide_by", "acknowledged_at", "escalation_level", "expected_due_date",
            "non_mobile_injury", "sending_agency__name",
            "acknowledged_by__first_name", "acknowledged_by__last_name",
            "acknowledged_by__username", "sender__first_name", "sender__last_name",
            "sender__username",
        )
        .prefetch_related(
            Prefetch("children", queryset=Child.objects.only("referral_id", "position", "first_name", "last_name"))
        )
    )


def with_parts(referral: Referral) -> Referral:
    """Load a referral's children, adults, agencies and previous areas."""
    prefetch_related_objects(
        [referral], "children", "adults", "involved_agencies", "previous_areas"
    )
    return referral


def sent_referrals(user: User) -> QuerySet[Referral]:
    """"Your referrals": what this person sent, or their agency sent if they lead it."""
    access = get_access(user)
    lead_agencies = access.agency_ids_with({Role.AGENCY_LEAD})
    rule = Q(sender_id=access.user_id)
    if lead_agencies:
        rule |= Q(sending_agency_id__in=lead_agencies)
    return _list_related(referrals_visible_to(user).filter(rule)).order_by("-received_at")


@dataclass(frozen=True)
class QueueFilters:
    urgency: str = ""
    status: str = ""  # "submitted" or "acknowledged"
    agency: int | None = None
    assigned: str = ""  # "me", "nobody" or a user id
    pre_birth: bool = False
    non_mobile: bool = False

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        def number(value: str) -> int | None:
            return int(value) if value.isdigit() else None

        return cls(
            urgency=query.get("urgency", "") if query.get("urgency") in Urgency.values else "",
            status=query.get("status", "") if query.get("status") in OPEN_STATUSES else "",
            agency=number(query.get("agency", "")),
            assigned=query.get("assigned", "") if query.get("assigned") in {"me", "nobody"}
            or str(query.get("assigned", "")).isdigit() else "",
            pre_birth=query.get("pre_birth") == "1",
            non_mobile=query.get("non_mobile") == "1",
        )


def front_door_queue(user: User, filters: QueueFilters | None = None) -> QuerySet[Referral]:
    """Referrals the front door still owes a decision on: urgent first, then
    the nearest deadline (acknowledgement while unacknowledged, else decision)."""
    access = get_access(user)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    queue = _list_related(referrals_visible_to(user)).filter(
        front_door_id__in=front_doors, status__in=OPEN_STATUSES
    )
    f = filters or QueueFilters()
    if f.urgency:
        queue = queue.filter(urgency=f.urgency)
    if f.status:
        queue = queue.filter(status=f.status)
    if f.agency:
        queue = queue.filter(sending_agency_id=f.agency)
    if f.assigned == "me":
        queue = queue.filter(assigned_to_id=access.user_id)
    elif f.assigned == "nobody":
        queue = queue.filter(assigned_to__isnull=True)
    elif f.assigned:
        queue = queue.filter(assigned_to_id=int(f.assigned))
    if f.pre_birth:
        queue = queue.filter(expected_due_date__isnull=False)
    if f.non_mobile:
        queue = queue.filter(non_mobile_injury=True)
    return queue.annotate(
        urgent_first=Case(When(urgency=Urgency.URGENT, then=0), default=1),
        next_due=Case(When(status=Status.SUBMITTED, then=F("acknowledge_by")), default=F("decide_by")),
    ).order_by("urgent_first", "next_due", "received_at")


def queue_filter_choices(user: User) -> dict[str, Any]:
    """Agencies and workers for the queue's filters (two small queries)."""
    from agencies.models import Agency, Membership

    front_doors = get_access(user).front_door_ids_with(FRONT_DOOR_ROLES)
    agencies = Agency.objects.filter(front_door_id__in=front_doors).order_by("name").values_list("id", "name")
    workers = (
        Membership.objects.filter(agency_id__in=front_doors, role__in=[Role.PRACTITIONER, Role.MANAGER], is_active=True)
        .select_related("user").order_by("user__first_name")
    )
    people = {m.user_id: (m.user.get_full_name() or m.user.get_username()) for m in workers}
    return {"agencies": list(agencies), "workers": sorted(people.items(), key=lambda p: p[1])}


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    summary: str


def timeline(referral: Referral) -> list[TimelineItem]:
    """Everything that happened, oldest first: the services' events, and the
    emails sent or failed (so a failed message is never invisible)."""
    items = [
        TimelineItem(at=e.at, kind=e.kind, title=e.get_kind_display(), summary=e.summary)
        for e in referral.events.order_by("at", "id")
    ]
    for note in referral.notifications.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED]).only(
        "purpose", "status", "to_address", "sent_at", "created_at"
    ):
        if note.status == DeliveryStatus.SENT:
            items.append(TimelineItem(at=note.sent_at or note.created_at, kind="email_sent", title="Email sent",
                                      summary=f"{note.get_purpose_display()} to {note.to_address}"))
        else:
            items.append(TimelineItem(at=note.created_at, kind="email_failed", title="Email failed",
                                      summary=f"{note.get_purpose_display()} to {note.to_address} could not be sent"))
    return sorted(items, key=lambda item: item.at)


def escalations_for(referral: Referral) -> list[Escalation]:
    return list(referral.escalations.order_by("level"))


@dataclass
class Dashboard:
    not_acknowledged: list[Referral]
    overdue: list[Referral]
    escalated: list[Referral]
    counts: dict[str, int]
    failed_notifications: list[Notification]
    challenges: list[Challenge]


def manager_dashboard(user: User, *, now: dt.datetime) -> Dashboard:
    """What nobody owns yet, for the managers of the user's front doors.

    A fixed number of queries whatever the volume: one aggregate for the
    counts, one list per panel (capped), one for failed deliveries.
    """
    access = get_access(user)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    open_refs = referrals_visible_to(user).filter(
        front_door_id__in=front_doors, status=Status.SUBMITTED
    )
    counts = open_refs.aggregate(
        not_acknowledged=Count("id"),
        overdue=Count("id", filter=Q(acknowledge_by__lte=now)),
        escalated=Count("id", filter=Q(escalation_level__gte=1)),
        escalated_senior=Count("id", filter=Q(escalation_level__gte=2)),
        due_within_hour=Count(
            "id",
            filter=Q(acknowledge_by__gt=now, acknowledge_by__lte=now + dt.timedelta(hours=1)),
        ),
    )
    listed = _list_related(open_refs).prefetch_related(
        Prefetch("escalations", queryset=Escalation.objects.order_by("level"))
    )
    failed = list(
        Notification.objects.filter(
            status=DeliveryStatus.FAILED, referral__front_door_id__in=front_doors
        )
        .select_related("referral")
        .only("to_address", "purpose", "created_at", "last_error", "referral__reference")
        .order_by("-created_at")[:20]
    )
    counts["failed_notifications"] = Notification.objects.filter(
        status=DeliveryStatus.FAILED, referral__front_door_id__in=front_doors
    ).count()
    counts.update(referrals_visible_to(user).filter(
        front_door_id__in=front_doors, status__in=OPEN_STATUSES
    ).aggregate(
        decision_overdue=Count("id", filter=Q(decide_by__lte=now)),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
    ))
    counts["questions_open"] = InformationRequest.objects.filter(
        is_open=True, referral__front_door_id__in=front_doors
    ).count()
    open_challenges = list(
        Challenge.objects.filter(is_open=True, referral__front_door_id__in=front_doors)
        .select_related("referral", "raised_by").order_by("-escalation_level", "step_one_due")[:50]
    )
    counts["challenges_open"] = len(open_challenges)
    counts["challenges_escalated"] = sum(1 for c in open_challenges if c.escalation_level)
    return Dashboard(
        not_acknowledged=list(listed.order_by("acknowledge_by")[:50]),
        overdue=list(listed.filter(acknowledge_by__lte=now).order_by("acknowledge_by")[:50]),
        escalated=list(
            listed.filter(escalation_level__gte=1).order_by("-escalation_level", "acknowledge_by")[:50]
        ),
        counts=counts,
        failed_notifications=failed,
        challenges=open_challenges,
    )
