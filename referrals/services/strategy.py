"""The strategy discussion (section 47): what follows a decision to hold one.

`open_strategy_discussion` is the one call made when the decision "strategy
discussion" becomes final (today: when it is recorded,
referrals.services.decision). It keeps the injured-baby pathway's deadline
(24 hours from receipt) where one was set, otherwise sets today's default
(the front door's `strategy_discussion_within_hours` from the decision), and
tells the police, who must acknowledge (referrals.services.police).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from notifications.models import Notification
from referrals.models import PoliceReason, Referral
from referrals.services.common import front_door_rules
from referrals.services.police import tell_police


def open_strategy_discussion(
    *, referral: Referral, actor: User, now: dt.datetime
) -> list[Notification]:
    """In the caller's transaction: the discussion's deadline and the police
    told. Returns the emails for the caller to queue with its own."""
    rules = front_door_rules(referral)
    Referral.objects.filter(pk=referral.pk, strategy_discussion_by__isnull=True).update(
        strategy_discussion_by=now + dt.timedelta(hours=rules.strategy_discussion_within_hours)
    )
    referral.refresh_from_db(fields=["strategy_discussion_by", "police_notified_at"])
    return tell_police(
        referral=referral, reason=PoliceReason.STRATEGY_DISCUSSION, now=now, actor=actor
    )
