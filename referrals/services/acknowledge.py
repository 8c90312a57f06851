"""Acknowledging a referral: a named front-door worker has it in hand, and
the referrer is told who and when (Rapid Review A2: receipt should be checked
to ensure the referral is being acted upon)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agencies.models import WebhookEvent
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from notifications.webhooks import webhook_notifications
from referrals import messages
from referrals.escalation.clock import stop_clocks
from referrals.models import EventKind, Referral, Status
from referrals.selectors.access import permissions_for, require
from referrals.services.common import add_event, history_of


class AlreadyAcknowledged(Exception):
    def __init__(self, referral: Referral) -> None:
        super().__init__(f"{referral.reference} is already acknowledged")
        self.referral = referral


def acknowledge_referral(
    *,
    referral: Referral,
    actor: User,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Referral:
    """Record that a named front-door worker has the referral in hand.

    The change is a conditional update (submitted -> acknowledged), so two
    workers pressing the button at once cannot both acknowledge, and a
    concurrent escalation sweep (which claims only open clocks) either ran
    before or will not run at all.
    """
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door practitioners and managers can acknowledge",
    )
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
            status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, updated_at=now
        )
        referral.refresh_from_db()
        if not claimed:
            raise AlreadyAcknowledged(referral)
        stop_clocks(referral.pk, acknowledgement=True)
        history_of(Referral).bulk_history_create(
            [referral],
            update=True,
            default_user=actor,
            default_change_reason="Acknowledged",
            default_date=now,
        )
        name = display_name(actor)
        add_event(referral, EventKind.ACKNOWLEDGED, actor, f"Acknowledged by {name}", now)
        record_event(
            actor=actor,
            action=Action.ACKNOWLEDGED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
        queue_notifications(
            build_notifications(
                purpose=Purpose.ACKNOWLEDGED,
                recipients=recipients_for_users([referral.sender]),
                subject=messages.acknowledged_subject(referral),
                body=messages.acknowledged_body(referral, acknowledged_by=name),
                referral_id=referral.pk,
                now=now,
            )
            + webhook_notifications(referral=referral, event=WebhookEvent.ACKNOWLEDGED, now=now)
        )
    return referral
