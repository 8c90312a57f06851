"""Which pathway a referral runs on: urgent, injury to a non-mobile baby,
early pre-birth. A pure rule over the content, the time received and the
front door's deadline rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from referrals.content import Content
from referrals.deadlines import Rules
from referrals.models import ConcernCategory, Urgency

NON_MOBILE_AGE_DAYS = 183  # "under about six months" (Child BF finding 7)


@dataclass(frozen=True)
class Pathway:
    """What the content means for how fast the front door must act."""

    urgent: bool
    non_mobile_injury: bool
    early_pre_birth: bool
    reasons: tuple[str, ...]


def pathway_for(content: Content, *, received_at: dt.datetime, rules: Rules) -> Pathway:
    categories = set(content.concern["categories"])
    today = timezone.localtime(received_at).date()
    young_babies = [
        c
        for c in content.children
        if c.get("date_of_birth") and (today - c["date_of_birth"]).days < NON_MOBILE_AGE_DAYS
    ]
    non_mobile = ConcernCategory.NON_MOBILE_INJURY in categories or bool(
        young_babies and ConcernCategory.PHYSICAL_ABUSE in categories
    )
    due = content.earliest_due_date
    early_pre_birth = bool(due and (due - today).days <= rules.pre_birth_urgent_within_weeks * 7)
    reasons = []
    if non_mobile:
        reasons.append("injury to a non-mobile baby")
    if early_pre_birth:
        reasons.append(f"baby due within {rules.pre_birth_urgent_within_weeks} weeks")
    urgent = content.urgency == Urgency.URGENT or non_mobile or early_pre_birth
    return Pathway(
        urgent=urgent,
        non_mobile_injury=non_mobile,
        early_pre_birth=early_pre_birth,
        reasons=tuple(reasons),
    )
