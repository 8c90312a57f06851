"""Reads for the police's pages and for the police's part on a referral's
page. What an officer sees is what a strategy discussion needs of the
referral: who the children and adults are, what happened, who referred and
how to reach them, and the front door's decision. Never the linked history,
what other agencies said, the family's consent details or the challenges."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from notifications.models import Notification, Purpose
from referrals.models import EventKind, PoliceNotice, Referral, ReferralEvent
from referrals.selectors.access import User, police_notices_for
from referrals.selectors.strategy import strategy_for

# What the police's page shows of the referral's timeline.
POLICE_EVENT_KINDS = (EventKind.POLICE_NOTIFIED, EventKind.POLICE_ACKNOWLEDGED)


def police_list(user: User) -> QuerySet[PoliceNotice]:
    """The officer's forces' notices: not yet acknowledged first (soonest
    due first), then the acknowledged, newest first."""
    return (
        police_notices_for(user)
        .select_related("referral", "acknowledged_by", "police")
        .prefetch_related("referral__children")
        .annotate(
            waiting=Case(
                When(acknowledge_open=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "acknowledge_by", "-notified_at", "-id")
    )


def police_view_of(notice: PoliceNotice) -> dict[str, Any]:
    """The police page's context: the notice and the parts of the referral a
    strategy discussion needs."""
    referral = notice.referral
    return {
        "notice": notice,
        "referral": referral,
        "children": list(referral.children.all()),
        "adults": list(referral.adults.all()),
        "strategy": strategy_for(referral),
        "events": list(
            ReferralEvent.objects.filter(referral=referral, kind__in=POLICE_EVENT_KINDS)
            .select_related("actor")
            .order_by("at", "id")
        ),
    }


def police_status(referral: Referral) -> dict[str, Any]:
    """The police's part on the referral's page: the notice (if the police
    force is on the portal) and the police emails with their delivery."""
    return {
        "police_notice": PoliceNotice.objects.filter(referral=referral)
        .select_related("police", "acknowledged_by")
        .first(),
        "police_notifications": list(
            Notification.objects.filter(referral=referral, purpose=Purpose.POLICE).order_by("id")
        ),
    }
