"""What every write to a referral shares: the history, the timeline event,
the front door's rules, and the error for an action its state does not allow."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from referrals.deadlines import Rules, rules_from_policy
from referrals.models import DeadlinePolicy, Referral, ReferralEvent


class NotAllowedNow(Exception):
    """The action does not fit the referral's state (e.g. already decided)."""


@cache
def history_of(model: type[models.Model]) -> Any:
    """The model's django-simple-history manager, built once.

    `Model.history` builds a new manager class on every access (the library's
    descriptor calls `from_queryset`, which inspects the queryset class) on
    every access, and a submission writes the first version of the referral
    and of four kinds of part."""
    return model.history  # type: ignore[attr-defined]


def record_history(referral: Referral, actor: User | None, reason: str, now: dt.datetime) -> None:
    """A new version of the referral in its history, read back after a
    conditional update (which django-simple-history does not see)."""
    referral.refresh_from_db()
    history_of(Referral).bulk_history_create(
        [referral],
        update=True,
        default_user=actor,
        default_change_reason=reason[:100],
        default_date=now,
    )


def add_event(
    referral: Referral,
    kind: str,
    actor: User | None,
    summary: str,
    now: dt.datetime,
    *,
    front_door_only: bool = False,
) -> ReferralEvent:
    """A line on the referral's timeline. `front_door_only` lines (earlier
    history linked, what another agency said) are not shown to the referrer."""
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        at=now,
        actor=actor,
        summary=summary[:300],
        front_door_only=front_door_only,
    )


def front_door_rules(referral: Referral) -> Rules:
    """The deadline rules of the referral's front door."""
    return rules_from_policy(
        DeadlinePolicy.objects.filter(front_door_id=referral.front_door_id).first()
    )
