"""The front door's check with another local authority about a previous
area: when it asked, and what came back."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from referrals.models import EventKind, PreviousArea, Referral
from referrals.selectors.access import permissions_for, require
from referrals.services.common import add_event

FRONT_DOOR_ONLY = "Only front-door staff of this front door can do this"


def record_area_check(
    *,
    referral: Referral,
    area: PreviousArea,
    actor: User,
    asked_on: dt.date,
    answer: str,
    answered_on: dt.date | None,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> PreviousArea:
    """Record that the front door asked the local authority of a previous
    area, and what came back (or that it is still waiting). Shown to the
    front door only: what another area holds is not the referrer's."""
    require(permissions_for(actor, referral).can_act, FRONT_DOOR_ONLY)
    if area.referral_id != referral.pk:
        raise PreviousArea.DoesNotExist("No such previous area on this referral")
    now = now or timezone.now()
    with transaction.atomic():
        area.asked_on = asked_on
        area.answer = answer
        area.answered_on = answered_on
        area.recorded_by = actor
        area.recorded_at = now
        area.save(update_fields=["asked_on", "answer", "answered_on", "recorded_by", "recorded_at"])
        got = f"; answer came {answered_on:%-d %B %Y}" if answered_on else "; waiting for an answer"
        add_event(
            referral,
            EventKind.AREA_CHECKED,
            actor,
            f"{display_name(actor)} recorded asking {area.local_authority} "
            f"on {asked_on:%-d %B %Y}{got}",
            now,
            front_door_only=True,
        )
        record_event(
            actor=actor,
            action=Action.INFORMATION_GIVEN,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={
                "previous_area": area.pk,
                "asked_on": asked_on.isoformat(),
                "answered": answered_on is not None,
            },
        )
    return area
