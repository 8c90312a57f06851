"""Partnership figures for strategy discussions and the police, with the
partnership report's rules for small numbers (referrals.selectors.reporting):
counts under 5 are "fewer than 5", others rounded to 5, and no median from
fewer than 5 times."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from referrals.models import PoliceNotice, StrategyDiscussion
from referrals.selectors.reporting import FEWEST_FOR_MEDIAN, Shown, shown_count


@dataclass(frozen=True)
class ShownStrategyFigures:
    discussions: Shown  # decided on in the period
    held_on_time: Shown
    held_late: Shown
    overdue_not_held: Shown
    police_told: Shown  # referrals the police were told about in the period
    police_acknowledge_median_hours: float | None
    police_acknowledged_late: Shown  # late, or not acknowledged and overdue now


def strategy_figures(
    *, front_door_id: int, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> ShownStrategyFigures:
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    discussions = StrategyDiscussion.objects.filter(
        referral__front_door_id=front_door_id, opened_at__gte=lower, opened_at__lt=upper
    ).aggregate(
        total=Count("id"),
        on_time=Count("id", filter=Q(is_open=False, held_at__lte=F("due_by"))),
        late=Count("id", filter=Q(is_open=False, held_at__gt=F("due_by"))),
        overdue=Count("id", filter=Q(is_open=True, due_by__lte=now)),
    )
    notices = PoliceNotice.objects.filter(
        referral__front_door_id=front_door_id, notified_at__gte=lower, notified_at__lt=upper
    )
    police = notices.aggregate(
        total=Count("id"),
        late=Count(
            "id",
            filter=Q(acknowledged_at__gt=F("acknowledge_by"))
            | Q(acknowledge_open=True, acknowledge_by__lte=now),
        ),
    )
    hours = [
        (acknowledged - told).total_seconds() / 3600
        for told, acknowledged in notices.filter(acknowledged_at__isnull=False).values_list(
            "notified_at", "acknowledged_at"
        )
        if acknowledged is not None
    ]
    return ShownStrategyFigures(
        discussions=shown_count(discussions["total"]),
        held_on_time=shown_count(discussions["on_time"]),
        held_late=shown_count(discussions["late"]),
        overdue_not_held=shown_count(discussions["overdue"]),
        police_told=shown_count(police["total"]),
        police_acknowledge_median_hours=round(statistics.median(hours), 1)
        if len(hours) >= FEWEST_FOR_MEDIAN
        else None,
        police_acknowledged_late=shown_count(police["late"]),
    )
