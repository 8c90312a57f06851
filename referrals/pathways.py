"""Which pathway a referral runs on: urgent, injury to a non-mobile baby,
early pre-birth. A pure rule over the content, the time received and the
front door's deadline rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from referrals.content import Content
from referrals.deadlines import Rules
from referrals.forms.content import YES, non_mobile_babies
from referrals.models import ConcernCategory, Urgency

# Why a referral runs on the injured-baby pathway, in the words the front
# door and the sender see on the page and the receipt.
INJURED_BABY = "injury to a non-mobile baby"
BABY_MARKED = "a bruise, mark, burn, bleeding, swelling or suspected fracture on a non-mobile baby"
BABY_COLLAPSED = "a non-mobile baby collapsed, stopped breathing, or went floppy or limp"


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
    young_babies = non_mobile_babies(content.children, today)
    # Asked directly, so the answer counts whatever kind of concern was ticked.
    marked = bool(young_babies) and content.concern.get("baby_injury") == YES
    collapsed = bool(young_babies) and content.concern.get("baby_collapse") == YES
    ticked = ConcernCategory.NON_MOBILE_INJURY in categories or bool(
        young_babies and ConcernCategory.PHYSICAL_ABUSE in categories
    )
    non_mobile = ticked or marked or collapsed
    due = content.earliest_due_date
    early_pre_birth = bool(due and (due - today).days <= rules.pre_birth_urgent_within_weeks * 7)
    reasons = []
    if ticked:
        reasons.append(INJURED_BABY)
    if marked:
        reasons.append(BABY_MARKED)
    if collapsed:
        reasons.append(BABY_COLLAPSED)
    if early_pre_birth:
        reasons.append(f"baby due within {rules.pre_birth_urgent_within_weeks} weeks")
    urgent = content.urgency == Urgency.URGENT or non_mobile or early_pre_birth
    return Pathway(
        urgent=urgent,
        non_mobile_injury=non_mobile,
        early_pre_birth=early_pre_birth,
        reasons=tuple(reasons),
    )
