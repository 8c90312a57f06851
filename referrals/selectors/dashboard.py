"""The managers' dashboard: what nobody owns, what is about to breach, who
is escalated, and each worker's load, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, When
from django.utils import timezone

from agencies.models import FRONT_DOOR_ROLES, Role
from agencies.selectors import get_access
from core.names import display_name
from notifications.models import DeliveryStatus, Notification
from referrals.models import (
    OPEN_STATUSES,
    Challenge,
    Escalation,
    InformationRequest,
    Referral,
    Status,
    Urgency,
)
from referrals.selectors.access import User, referrals_visible_to
from referrals.selectors.lists import end_of_today, queue_filter_choices, with_list_columns
from referrals.selectors.reporting import (
    ShownKindCounts,
    census_rows,
    channel_rows,
    channels_and_sources,
)


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
    # Everything received since midnight, by how it came in and by census
    # source: exact (the managers see every referral anyway).
    received_by_channel: list[ShownKindCounts] = field(default_factory=list)
    received_by_census_source: list[ShownKindCounts] = field(default_factory=list)


def manager_dashboard(user: User, *, now: dt.datetime) -> Dashboard:
    """What nobody owns yet, for the managers of the user's front doors.

    A fixed number of queries whatever the volume: one aggregate for the
    referral counts, the ids of each list (capped at 50) and one load of the
    referrals they name, one aggregate and two lists for deliveries, one each
    for challenges, workload and workers.
    """
    access = get_access(user)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    open_refs = referrals_visible_to(user, front_door_only=True).filter(status__in=OPEN_STATUSES)
    waiting = Q(status=Status.SUBMITTED)
    next_due = Case(When(status=Status.SUBMITTED, then=F("acknowledge_by")), default=F("decide_by"))
    hour, today = now + dt.timedelta(hours=1), end_of_today(now)
    counts = open_refs.annotate(next_due=next_due).aggregate(
        open=Count("id"),
        not_acknowledged=Count("id", filter=waiting),
        age_under_1h=Count("id", filter=waiting & Q(received_at__gt=now - dt.timedelta(hours=1))),
        age_1_to_4h=Count(
            "id",
            filter=waiting
            & Q(
                received_at__lte=now - dt.timedelta(hours=1),
                received_at__gt=now - dt.timedelta(hours=4),
            ),
        ),
        age_4_to_24h=Count(
            "id",
            filter=waiting
            & Q(
                received_at__lte=now - dt.timedelta(hours=4),
                received_at__gt=now - dt.timedelta(hours=24),
            ),
        ),
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
            (
                "escalated",
                waiting_refs.filter(clock__escalation_level__gte=1),
                ("-clock__escalation_level", "acknowledge_by"),
            ),
        )
    }
    loaded = {
        r.pk: r
        for r in with_list_columns(
            Referral.objects.filter(id__in=set().union(*chosen.values()))
        ).prefetch_related(Prefetch("escalations", queryset=Escalation.objects.order_by("level")))
    }

    # A manager's summary of several escalations has no referral, only its front door.
    deliveries = Notification.objects.filter(
        Q(referral__front_door_id__in=front_doors)
        | Q(referral__isnull=True, front_door_id__in=front_doors)
    )
    # Only failed and pending rows, spelled as an OR so PostgreSQL can combine
    # the two partial indexes (notification_failed, notification_due) instead
    # of counting through every email ever sent.
    counts.update(
        deliveries.filter(
            Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING)
        ).aggregate(
            failed_notifications=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
            retrying_notifications=Count(
                "id", filter=Q(status=DeliveryStatus.PENDING, attempts__gte=1)
            ),
        )
    )
    delivery_fields = (
        "to_address",
        "purpose",
        "subject",
        "created_at",
        "attempts",
        "last_error",
        "next_attempt_at",
        "referral__reference",
    )
    failed = list(
        deliveries.filter(status=DeliveryStatus.FAILED)
        .select_related("referral")
        .only(*delivery_fields)
        .order_by("-created_at")[:20]
    )
    retrying = list(
        deliveries.filter(status=DeliveryStatus.PENDING, attempts__gte=1)
        .select_related("referral")
        .only(*delivery_fields)
        .order_by("next_attempt_at")[:20]
    )
    challenges = Challenge.objects.filter(is_open=True, referral__front_door_id__in=front_doors)
    counts.update(
        challenges.aggregate(
            challenges_open=Count("id"),
            challenges_escalated=Count("id", filter=Q(escalation_level__gte=1)),
        )
    )
    counts["questions_open"] = InformationRequest.objects.filter(
        is_open=True, referral__front_door_id__in=front_doors
    ).count()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today_received = channels_and_sources(
        referrals_visible_to(user, front_door_only=True).filter(
            received_at__gte=midnight, received_at__lte=now
        )
    )
    return Dashboard(
        not_acknowledged=[loaded[pk] for pk in chosen["not_acknowledged"]],
        overdue=[loaded[pk] for pk in chosen["overdue"]],
        escalated=[loaded[pk] for pk in chosen["escalated"]],
        counts=counts,
        failed_notifications=failed,
        retrying_notifications=retrying,
        challenges=list(
            challenges.select_related("referral", "raised_by").order_by(
                "-escalation_level", "step_one_due"
            )[:50]
        ),
        workload=_workload(front_doors, open_refs, now),
        workers=queue_filter_choices(user)["workers"],
        received_by_channel=[ShownKindCounts.exact(*row) for row in channel_rows(today_received)],
        received_by_census_source=[
            ShownKindCounts.exact(*row) for row in census_rows(today_received) if row[1].received
        ],
    )


def _workload(
    front_doors: frozenset[int], open_refs: QuerySet[Referral], now: dt.datetime
) -> list[dict[str, Any]]:
    """Open referrals per worker, with their team: two queries."""
    from agencies.models import Membership

    per_worker = {
        row["assigned_to"]: row
        for row in open_refs.exclude(assigned_to__isnull=True)
        .values("assigned_to")
        .annotate(
            open=Count("id"),
            overdue=Count(
                "id",
                filter=Q(status=Status.SUBMITTED, acknowledge_by__lte=now)
                | Q(status=Status.ACKNOWLEDGED, decide_by__lte=now),
            ),
            urgent=Count("id", filter=Q(urgency=Urgency.URGENT)),
        )
    }
    people = (
        Membership.objects.filter(
            agency_id__in=front_doors, role__in=[Role.PRACTITIONER, Role.MANAGER], is_active=True
        )
        .select_related("user", "team")
        .order_by("team__name", "user__first_name")
    )
    rows, seen = [], set()
    for m in people:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        load = per_worker.get(m.user_id, {})
        rows.append(
            {
                "user_id": m.user_id,
                "name": display_name(m.user),
                "team": m.team.name if m.team else "No team",
                "open": load.get("open", 0),
                "overdue": load.get("overdue", 0),
                "urgent": load.get("urgent", 0),
            }
        )
    return rows
