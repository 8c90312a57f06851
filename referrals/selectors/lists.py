"""Lists of referrals: "Your referrals" for a referrer's side, and the
front door's queue with its filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When
from django.utils import timezone

from agencies.models import FRONT_DOOR_ROLES, Role
from agencies.selectors import get_access
from core.names import display_name
from referrals.models import (
    OPEN_STATUSES,
    Child,
    InformationRequest,
    Referral,
    Status,
    Urgency,
)
from referrals.selectors.access import User, referrals_visible_to, sent_by


def with_list_columns(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What every list of referrals shows, in a fixed number of queries."""
    return (
        queryset.select_related(
            "sending_agency", "acknowledged_by", "sender", "assigned_to", "clock"
        )
        .only(
            "decision",
            "decided_at",
            "assigned_to__first_name",
            "assigned_to__last_name",
            "assigned_to__username",
            "reference",
            "kind",
            "urgency",
            "status",
            "received_at",
            "acknowledge_by",
            "decide_by",
            "acknowledged_at",
            "clock__escalation_level",
            "expected_due_date",
            "non_mobile_injury",
            "sending_agency__name",
            "acknowledged_by__first_name",
            "acknowledged_by__last_name",
            "acknowledged_by__username",
            "sender__first_name",
            "sender__last_name",
            "sender__username",
        )
        .prefetch_related(
            Prefetch(
                "children",
                queryset=Child.objects.only("referral_id", "position", "first_name", "last_name"),
            )
        )
    )


def _sent(user: User) -> QuerySet[Referral]:
    """What this person sent, or their agency sent if they lead it."""
    access = get_access(user)
    lead_agencies = access.agency_ids_with({Role.AGENCY_LEAD})
    rule = sent_by(access)
    if lead_agencies:
        rule |= Q(sending_agency_id__in=lead_agencies)
    return referrals_visible_to(user).filter(rule)


def sent_referrals(user: User) -> QuerySet[Referral]:
    """ "Your referrals": what this person sent, or their agency sent if they lead it."""
    return (
        with_list_columns(_sent(user))
        .annotate(
            challenge_count=Count("challenges", distinct=True),
            open_challenge_count=Count(
                "challenges", filter=Q(challenges__is_open=True), distinct=True
            ),
            open_question_count=Count(
                "information_requests",
                filter=Q(
                    information_requests__is_open=True,
                    information_requests__to_agency__isnull=True,
                ),
                distinct=True,
            ),
        )
        .order_by("-received_at")
    )


def questions_for_referrer(user: User) -> QuerySet[InformationRequest]:
    """The front door's questions waiting for this person (or, for a
    safeguarding lead, anyone in their agency) to answer, soonest due first."""
    return (
        InformationRequest.objects.filter(
            referral__in=_sent(user).values("pk"), to_agency__isnull=True, is_open=True
        )
        .select_related("referral")
        .order_by("due_by", "pk")
    )


@dataclass(frozen=True)
class QueueFilters:
    urgency: str = ""
    status: str = ""  # "submitted" or "acknowledged"
    agency: int | None = None
    assigned: str = ""  # "me", "nobody" or a user id
    pre_birth: bool = False
    non_mobile: bool = False
    due: str = ""  # "hour", "today" or "overdue": the next deadline
    escalated: bool = False

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        def number(value: str) -> int | None:
            # ASCII digits only, and no bigger than a database id can be.
            value = str(value)
            if value.isascii() and value.isdigit() and len(value) <= 12:
                return int(value)
            return None

        return cls(
            urgency=query.get("urgency", "") if query.get("urgency") in Urgency.values else "",
            status=query.get("status", "") if query.get("status") in OPEN_STATUSES else "",
            agency=number(query.get("agency", "")),
            assigned=query.get("assigned", "")
            if query.get("assigned") in {"me", "nobody"}
            or number(query.get("assigned", "")) is not None
            else "",
            pre_birth=query.get("pre_birth") == "1",
            non_mobile=query.get("non_mobile") == "1",
            due=query.get("due", "") if query.get("due") in {"hour", "today", "overdue"} else "",
            escalated=query.get("escalated") == "1",
        )


def front_door_queue(user: User, filters: QueueFilters | None = None) -> QuerySet[Referral]:
    """Referrals the front door still owes a decision on: urgent first, then
    the nearest deadline (acknowledgement while unacknowledged, else decision)."""
    access = get_access(user)
    queue = with_list_columns(referrals_visible_to(user, front_door_only=True)).filter(
        status__in=OPEN_STATUSES
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
    if f.escalated:
        queue = queue.filter(
            Q(clock__escalation_level__gte=1) | Q(clock__decision_escalation_level__gte=1)
        )
    queue = queue.annotate(
        urgent_first=Case(When(urgency=Urgency.URGENT, then=0), default=1),
        next_due=Case(
            When(status=Status.SUBMITTED, then=F("acknowledge_by")), default=F("decide_by")
        ),
    )
    now = timezone.now()
    if f.due == "overdue":
        # A decision waiting for a manager's sign-off is not overdue for a
        # decision (its "no decision" clock is stopped): the dashboard's rule.
        queue = queue.filter(next_due__lte=now).exclude(
            status=Status.ACKNOWLEDGED, clock__decide_open=False
        )
    elif f.due == "hour":
        queue = queue.filter(next_due__gt=now, next_due__lte=now + dt.timedelta(hours=1))
    elif f.due == "today":
        queue = queue.filter(next_due__gt=now, next_due__lte=end_of_today(now))
    return queue.order_by("urgent_first", "next_due", "received_at")


def queue_filter_choices(user: User) -> dict[str, Any]:
    """Agencies and workers for the queue's filters (two small queries)."""
    from agencies.models import Agency, Membership

    front_doors = get_access(user).front_door_ids_with(FRONT_DOOR_ROLES)
    agencies = (
        Agency.objects.filter(front_door_id__in=front_doors)
        .order_by("name")
        .values_list("id", "name")
    )
    workers = (
        Membership.objects.filter(
            agency_id__in=front_doors, role__in=[Role.PRACTITIONER, Role.MANAGER], is_active=True
        )
        .select_related("user")
        .order_by("user__first_name")
    )
    people = {m.user_id: display_name(m.user) for m in workers}
    return {"agencies": list(agencies), "workers": sorted(people.items(), key=lambda p: p[1])}


def end_of_today(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)
