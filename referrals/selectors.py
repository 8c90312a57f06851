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
from django.utils import timezone

from agencies.models import AGENCY_READ_ROLES, FRONT_DOOR_ROLES, Role
from agencies.selectors import get_access
from audit.models import Action
from audit.services import record_event
from notifications.models import DeliveryStatus, Notification
from referrals.escalations import STEP_SUMMARIES
from referrals.models import (
    OPEN_STATUSES,
    Challenge,
    Child,
    Escalation,
    EventKind,
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
    lead_agencies = access.agency_ids_with(AGENCY_READ_ROLES)
    if lead_agencies:
        rule |= Q(sending_agency_id__in=lead_agencies)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    if front_doors:
        rule |= Q(front_door_id__in=front_doors)
    return Referral.objects.filter(rule)


def front_door_referrals(user: User) -> QuerySet[Referral]:
    """Every referral at the front doors where the user has a front-door
    role: the branch of `referrals_visible_to` that the queue and the
    dashboard show, on its own. With the whole rule ("sent by me, or by my
    agency, or at my front door") and the page's own front-door filter,
    PostgreSQL guessed a front door's open referrals at a tenth of what they
    are and planned the pages' queries for that (the dashboard's SQL at a
    million referrals: about 140 ms that way, 105 ms this way)."""
    front_doors = get_access(user).front_door_ids_with(FRONT_DOOR_ROLES)
    return Referral.objects.filter(front_door_id__in=front_doors)


def get_referral_for_user(user: User, reference: str) -> Referral:
    """The one way to look up a referral. Missing and not-yours are the same 404,
    so nobody can learn that a reference exists by guessing."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("No referral with that reference")
    try:
        return (
            referrals_visible_to(user)
            .select_related("sender", "sending_agency", "front_door", "acknowledged_by", "clock")
            .get(reference=canonical)
        )
    except Referral.DoesNotExist as exc:
        if Referral.objects.filter(reference=canonical).exists():
            # Someone tried a referral that is not theirs: the same 404 as a
            # missing one for them, a refusal in the audit for the front door.
            record_event(actor=user, action=Action.REFUSED, object_type="referral", object_ref=canonical,
                         detail={"reason": "not visible to this person"})
        raise Http404("No referral with that reference") from exc


def _list_related(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What every list of referrals shows, in a fixed number of queries."""
    return (
        queryset.select_related("sending_agency", "acknowledged_by", "sender", "assigned_to", "clock")
        .only(
            "decision", "decided_at", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
            "reference", "kind", "urgency", "status", "received_at", "acknowledge_by",
            "decide_by", "acknowledged_at", "clock__escalation_level", "expected_due_date",
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
    return (
        _list_related(referrals_visible_to(user).filter(rule))
        .annotate(
            challenge_count=Count("challenges", distinct=True),
            open_challenge_count=Count("challenges", filter=Q(challenges__is_open=True), distinct=True),
        )
        .order_by("-received_at")
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
            assigned=query.get("assigned", "") if query.get("assigned") in {"me", "nobody"}
            or number(query.get("assigned", "")) is not None else "",
            pre_birth=query.get("pre_birth") == "1",
            non_mobile=query.get("non_mobile") == "1",
            due=query.get("due", "") if query.get("due") in {"hour", "today", "overdue"} else "",
            escalated=query.get("escalated") == "1",
        )


def front_door_queue(user: User, filters: QueueFilters | None = None) -> QuerySet[Referral]:
    """Referrals the front door still owes a decision on: urgent first, then
    the nearest deadline (acknowledgement while unacknowledged, else decision)."""
    access = get_access(user)
    queue = _list_related(front_door_referrals(user)).filter(status__in=OPEN_STATUSES)
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
        queue = queue.filter(Q(clock__escalation_level__gte=1) | Q(clock__decision_escalation_level__gte=1))
    queue = queue.annotate(
        urgent_first=Case(When(urgency=Urgency.URGENT, then=0), default=1),
        next_due=Case(When(status=Status.SUBMITTED, then=F("acknowledge_by")), default=F("decide_by")),
    )
    now = timezone.now()
    if f.due == "overdue":
        queue = queue.filter(next_due__lte=now)
    elif f.due == "hour":
        queue = queue.filter(next_due__gt=now, next_due__lte=now + dt.timedelta(hours=1))
    elif f.due == "today":
        queue = queue.filter(next_due__gt=now, next_due__lte=end_of_today(now))
    return queue.order_by("urgent_first", "next_due", "received_at")


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


def timeline(referral: Referral, *, viewer: User, escalations: list[Escalation] | None = None) -> list[TimelineItem]:
    """Everything that happened, oldest first: the services' events, the
    escalations, and the emails sent or failed (so a failed message is never
    invisible).

    The front door sees it all. The referrer's side does not see what other
    agencies said or which earlier referrals were linked, and sees only the
    emails sent to them.
    """
    front_door = referral.front_door_id in get_access(viewer).front_door_ids_with(FRONT_DOOR_ROLES)
    events = referral.events.order_by("at", "id")
    notes = referral.notifications.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED])
    if not front_door:
        events = events.filter(front_door_only=False)
        notes = notes.filter(recipient_id=getattr(viewer, "pk", None))
    items = [
        TimelineItem(at=e.at, kind=e.kind, title=e.get_kind_display(), summary=e.summary)
        for e in events
    ]
    # The sweep's record of each escalation is the escalation row itself.
    items += [
        TimelineItem(at=e.escalated_at, kind=EventKind.ESCALATED, title=EventKind.ESCALATED.label,
                     summary=STEP_SUMMARIES.get((e.rule, e.level), f"{e.get_rule_display()}: escalated"))
        for e in (escalations_for(referral) if escalations is None else escalations)
    ]
    # "referral" too: the related manager sets each row's referral from its
    # referral_id, which would otherwise be fetched once per email (N+1).
    for note in notes.only("referral", "purpose", "status", "to_address", "sent_at", "created_at"):
        if note.status == DeliveryStatus.SENT:
            items.append(TimelineItem(at=note.sent_at or note.created_at, kind="email_sent", title="Email sent",
                                      summary=f"{note.get_purpose_display()} to {note.to_address}"))
        else:
            items.append(TimelineItem(at=note.created_at, kind="email_failed", title="Email failed",
                                      summary=f"{note.get_purpose_display()} to {note.to_address} could not be sent"))
    return sorted(items, key=lambda item: item.at)


def escalations_for(referral: Referral) -> list[Escalation]:
    return list(referral.escalations.order_by("escalated_at", "level"))


def information_requests_for(referral: Referral, *, viewer: User) -> list[Any]:
    """Questions on a referral: all of them for the front door; for the
    referrer's side only the ones put to the referrer."""
    questions = referral.information_requests.select_related("asked_by", "answered_by", "to_agency")
    if referral.front_door_id not in get_access(viewer).front_door_ids_with(FRONT_DOOR_ROLES):
        questions = questions.filter(to_agency__isnull=True)
    return list(questions)


@dataclass
class Dashboard:
    not_acknowledged: list[Referral]
    overdue: list[Referral]
    escalated: list[Referral]
    counts: dict[str, int]
    failed_notifications: list[Notification]
    retrying_notifications: list[Notification]
    challenges: list[Challenge]
    workload: list[dict[str, Any]]
    workers: list[tuple[int, str]]


def end_of_today(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def manager_dashboard(user: User, *, now: dt.datetime) -> Dashboard:
    """What nobody owns yet, for the managers of the user's front doors.

    A fixed number of queries whatever the volume: one aggregate for the
    referral counts, the ids of each list (capped at 50) and one load of the
    referrals they name, one aggregate and two lists for deliveries, one each
    for challenges, workload and workers.
    """
    access = get_access(user)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    open_refs = front_door_referrals(user).filter(status__in=OPEN_STATUSES)
    waiting = Q(status=Status.SUBMITTED)
    next_due = Case(When(status=Status.SUBMITTED, then=F("acknowledge_by")), default=F("decide_by"))
    hour, today = now + dt.timedelta(hours=1), end_of_today(now)
    counts = open_refs.annotate(next_due=next_due).aggregate(
        open=Count("id"),
        not_acknowledged=Count("id", filter=waiting),
        age_under_1h=Count("id", filter=waiting & Q(received_at__gt=now - dt.timedelta(hours=1))),
        age_1_to_4h=Count("id", filter=waiting & Q(received_at__lte=now - dt.timedelta(hours=1),
                                                    received_at__gt=now - dt.timedelta(hours=4))),
        age_4_to_24h=Count("id", filter=waiting & Q(received_at__lte=now - dt.timedelta(hours=4),
                                                     received_at__gt=now - dt.timedelta(hours=24))),
        age_over_24h=Count("id", filter=waiting & Q(received_at__lte=now - dt.timedelta(hours=24))),
        overdue=Count("id", filter=waiting & Q(acknowledge_by__lte=now)),
        decision_overdue=Count("id", filter=Q(decide_by__lte=now)),
        due_within_hour=Count("id", filter=Q(next_due__gt=now, next_due__lte=hour)),
        due_today=Count("id", filter=Q(next_due__gt=now, next_due__lte=today)),
        escalated=Count("id", filter=waiting & Q(clock__escalation_level__gte=1)),
        escalated_senior=Count("id", filter=waiting & Q(clock__escalation_level__gte=2)),
        decision_escalated=Count("id", filter=Q(clock__decision_escalation_level__gte=1)),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
    )
    waiting_refs = open_refs.filter(waiting)

    # Each list's 50 are chosen from the referral table alone (an id-only
    # query each), then the referrals they name are fetched once with their
    # people, agencies and escalations. Joining first made PostgreSQL join
    # every waiting referral at a large front door (thousands) to sort them;
    # and the lists overlap (the oldest waiting referrals are usually overdue
    # and escalated too), so each is loaded once.
    chosen = {
        name: list(queryset.order_by(*order, "id").values_list("id", flat=True)[:50])
        for name, queryset, order in (
            ("not_acknowledged", waiting_refs, ("acknowledge_by",)),
            ("overdue", waiting_refs.filter(acknowledge_by__lte=now), ("acknowledge_by",)),
            ("escalated", waiting_refs.filter(clock__escalation_level__gte=1),
             ("-clock__escalation_level", "acknowledge_by")),
        )
    }
    loaded = {
        r.pk: r for r in _list_related(Referral.objects.filter(id__in=set().union(*chosen.values())))
        .prefetch_related(Prefetch("escalations", queryset=Escalation.objects.order_by("level")))
    }

    # A manager's summary of several escalations has no referral, only its front door.
    deliveries = Notification.objects.filter(Q(referral__front_door_id__in=front_doors)
                                             | Q(referral__isnull=True, front_door_id__in=front_doors))
    # Only failed and pending rows, spelled as an OR so PostgreSQL can combine
    # the two partial indexes (notification_failed, notification_due) instead
    # of counting through every email ever sent.
    counts.update(deliveries.filter(Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING)).aggregate(
        failed_notifications=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
        retrying_notifications=Count("id", filter=Q(status=DeliveryStatus.PENDING, attempts__gte=1)),
    ))
    delivery_fields = ("to_address", "purpose", "subject", "created_at", "attempts", "last_error",
                       "next_attempt_at", "referral__reference")
    failed = list(deliveries.filter(status=DeliveryStatus.FAILED).select_related("referral")
                  .only(*delivery_fields).order_by("-created_at")[:20])
    retrying = list(deliveries.filter(status=DeliveryStatus.PENDING, attempts__gte=1).select_related("referral")
                    .only(*delivery_fields).order_by("next_attempt_at")[:20])
    challenges = Challenge.objects.filter(is_open=True, referral__front_door_id__in=front_doors)
    counts.update(challenges.aggregate(
        challenges_open=Count("id"), challenges_escalated=Count("id", filter=Q(escalation_level__gte=1))
    ))
    counts["questions_open"] = InformationRequest.objects.filter(
        is_open=True, referral__front_door_id__in=front_doors
    ).count()
    return Dashboard(
        not_acknowledged=[loaded[pk] for pk in chosen["not_acknowledged"]],
        overdue=[loaded[pk] for pk in chosen["overdue"]],
        escalated=[loaded[pk] for pk in chosen["escalated"]],
        counts=counts,
        failed_notifications=failed,
        retrying_notifications=retrying,
        challenges=list(challenges.select_related("referral", "raised_by")
                        .order_by("-escalation_level", "step_one_due")[:50]),
        workload=_workload(front_doors, open_refs, now),
        workers=queue_filter_choices(user)["workers"],
    )


def _workload(front_doors: frozenset[int], open_refs: QuerySet[Referral], now: dt.datetime) -> list[dict[str, Any]]:
    """Open referrals per worker, with their team: two queries."""
    from agencies.models import Membership

    per_worker = {
        row["assigned_to"]: row
        for row in open_refs.exclude(assigned_to__isnull=True).values("assigned_to").annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(status=Status.SUBMITTED, acknowledge_by__lte=now)
                          | Q(status=Status.ACKNOWLEDGED, decide_by__lte=now)),
            urgent=Count("id", filter=Q(urgency=Urgency.URGENT)),
        )
    }
    people = (
        Membership.objects.filter(agency_id__in=front_doors, role__in=[Role.PRACTITIONER, Role.MANAGER],
                                  is_active=True)
        .select_related("user", "team").order_by("team__name", "user__first_name")
    )
    rows, seen = [], set()
    for m in people:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        load = per_worker.get(m.user_id, {})
        rows.append({
            "user_id": m.user_id,
            "name": m.user.get_full_name() or m.user.get_username(),
            "team": m.team.name if m.team else "No team",
            "open": load.get("open", 0), "overdue": load.get("overdue", 0), "urgent": load.get("urgent", 0),
        })
    return rows
