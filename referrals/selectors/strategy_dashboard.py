"""The dashboard's part for strategy discussions and the police: what is due,
what is overdue, and what no officer has acknowledged, at the manager's front
doors. A fixed number of queries: one count each and one list each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from agencies.models import FRONT_DOOR_ROLES
from agencies.selectors import get_access
from referrals.models import PoliceNotice, StrategyDiscussion
from referrals.selectors.access import User

LISTED = 50


@dataclass
class StrategyPanel:
    discussions: list[StrategyDiscussion]  # not yet held, soonest due first
    discussions_due: int
    discussions_overdue: int
    conferences_overdue: int
    police_waiting: list[PoliceNotice]  # not acknowledged, soonest due first
    police_not_acknowledged: int
    police_overdue: int


def strategy_panel(user: User, *, now: dt.datetime) -> StrategyPanel:
    front_doors = get_access(user).front_door_ids_with(FRONT_DOOR_ROLES)
    discussions = StrategyDiscussion.objects.filter(referral__front_door_id__in=front_doors)
    open_discussions = discussions.filter(is_open=True)
    counts = open_discussions.aggregate(
        due=Count("id", filter=Q(due_by__gt=now)),
        overdue=Count("id", filter=Q(due_by__lte=now)),
    )
    conferences_overdue = discussions.filter(
        conference_open=True, conference_due_by__lte=now
    ).count()
    notices = PoliceNotice.objects.filter(
        referral__front_door_id__in=front_doors, acknowledge_open=True
    )
    police = notices.aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(acknowledge_by__lte=now))
    )
    return StrategyPanel(
        discussions=list(
            open_discussions.select_related("referral").order_by("due_by", "id")[:LISTED]
        ),
        discussions_due=counts["due"],
        discussions_overdue=counts["overdue"],
        conferences_overdue=conferences_overdue,
        police_waiting=list(
            notices.select_related("referral", "police").order_by("acknowledge_by", "id")[:LISTED]
        ),
        police_not_acknowledged=police["waiting"],
        police_overdue=police["overdue"],
    )
