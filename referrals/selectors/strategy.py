"""Reads about strategy discussions: a referral's, and those an agency was
invited to (an invited agency sees the discussion, who the children are and,
once recorded, the outcome and next steps: not the referral)."""

from __future__ import annotations

from django.db.models import QuerySet

from referrals.models import Referral, StrategyDiscussion
from referrals.selectors.access import User, answering_agencies


def strategy_for(referral: Referral) -> StrategyDiscussion | None:
    return (
        StrategyDiscussion.objects.filter(referral=referral)
        .select_related("recorded_by")
        .prefetch_related("participants")
        .first()
    )


def invited_discussions(user: User) -> QuerySet[StrategyDiscussion]:
    """Discussions the person's agency was invited to (as its safeguarding
    lead, or a referrer of an agency without one: who answers for it), other
    than as the referrer, who sees their own referral's page."""
    agencies = answering_agencies(user)
    return (
        StrategyDiscussion.objects.filter(participants__agency_id__in=agencies)
        .distinct()
        .select_related("referral")
        .prefetch_related("referral__children", "participants")
        .order_by("-is_open", "due_by")
    )
