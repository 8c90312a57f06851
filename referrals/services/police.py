"""The police as participants: telling a force's public protection unit
about a referral, and an officer acknowledging it (Child BF: the police were
told a day late; an email to an inbox proved nothing).

The police are told about a referral on the injured-baby pathway (at
submission), when the front door decides on a strategy discussion, and when
the front door marks a concern as a possible crime. Each creates, or adds a
reason to, the referral's PoliceNotice, which an officer must acknowledge by
its deadline or the sweep escalates it (referrals.escalation.ladder).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import POLICE_ROLES, Agency, AgencyKind
from agencies.selectors import members_with_role
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Notification, Purpose
from notifications.services import (
    Recipient,
    build_notifications,
    queue_notifications,
    recipients_for_users,
)
from referrals import messages
from referrals.deadlines import police_acknowledge_by
from referrals.models import EventKind, PoliceNotice, PoliceReason, Referral, Urgency
from referrals.selectors.access import may_acknowledge_for_police, permissions_for, require
from referrals.services.common import add_event, front_door_rules, history_of

CRIME_NOTE_MAX = 2000


class PoliceAlreadyAcknowledged(Exception):
    def __init__(self, notice: PoliceNotice) -> None:
        super().__init__(f"{notice.referral.reference} is already acknowledged for the police")
        self.notice = notice


def police_force_for(front_door_id: int) -> Agency | None:
    """The police public protection unit on the portal that works with this
    front door (its first active police agency), or None."""
    return (
        Agency.objects.filter(front_door_id=front_door_id, kind=AgencyKind.POLICE, is_active=True)
        .order_by("id")
        .first()
    )


def tell_police(
    *,
    referral: Referral,
    reason: str,
    now: dt.datetime,
    actor: User | None = None,
    crime_note: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell the police about the referral, inside the caller's transaction.

    1. Find the front door's police force on the portal. Without one, the
       front door's police inbox is still emailed and the page says to phone.
    2. Create the referral's PoliceNotice with its acknowledgement deadline
       (urgent: clock time; otherwise working time), or add the reason to
       the one it has: the first deadline stands.
    3. The timeline says so. Returns the emails (unsaved) for the caller to
       queue: to the front door's police inbox, or, without one, to the
       force's officers. `email=False` where the caller words its own.
    """
    front_door = referral.front_door
    force = police_force_for(referral.front_door_id)
    label = PoliceReason(reason).label
    notice = PoliceNotice.objects.select_for_update().filter(referral=referral).first()
    if force is not None and notice is None:
        rules = front_door_rules(referral)
        notice = PoliceNotice.objects.create(
            referral=referral,
            police=force,
            reasons=[reason],
            crime_note=crime_note,
            notified_at=now,
            acknowledge_by=police_acknowledge_by(
                rules, notified_at=now, urgent=referral.urgency == Urgency.URGENT
            ),
        )
    elif notice is not None:
        changed = []
        if reason not in notice.reasons:
            notice.reasons = [*notice.reasons, reason]
            changed.append("reasons")
        if crime_note:
            notice.crime_note = crime_note
            changed.append("crime_note")
        if changed:
            notice.save(update_fields=changed)
    Referral.objects.filter(pk=referral.pk, police_notified_at__isnull=True).update(
        police_notified_at=now
    )
    outbox: list[Notification] = []
    if not email:
        return outbox
    recipients: list[Recipient] = []
    if front_door.police_alert_email:
        recipients = [Recipient(address=front_door.police_alert_email)]
    elif force is not None:
        recipients = recipients_for_users(
            m.user for m in members_with_role(agency_id=force.pk, roles=POLICE_ROLES)
        )
    if notice is not None:
        due = notice.acknowledge_by
        where = force.name if force is not None else "the police"
        summary = f"Police told ({label.lower()}): {where} to acknowledge by " + messages.when(due)
        outbox += build_notifications(
            purpose=Purpose.POLICE,
            recipients=recipients,
            subject=messages.police_told_subject(
                referral, urgent=referral.urgency == Urgency.URGENT
            ),
            body=messages.police_told_body(referral, reason=label, acknowledge_by=due),
            referral_id=referral.pk,
            now=now,
        )
    elif recipients:
        summary = f"Police told ({label.lower()}) by email: {front_door.police_alert_email}"
        outbox += build_notifications(
            purpose=Purpose.POLICE,
            recipients=recipients,
            subject=messages.police_subject(referral),
            body=messages.police_body(referral),
            referral_id=referral.pk,
            now=now,
        )
    else:
        summary = f"Police to be told ({label.lower()}): no police inbox is set up, phone them"
    add_event(referral, EventKind.POLICE_NOTIFIED, actor, summary, now)
    return outbox


def mark_possible_crime(
    *,
    referral: Referral,
    actor: User,
    note: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> PoliceNotice | None:
    """The front door marks a concern as a possible crime: the police are
    told, and must acknowledge like any other notice."""
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Enter what crime may have been committed"})
    if len(note) > CRIME_NOTE_MAX:
        raise ValidationError(
            {
                "note": f"What crime may have been committed must be {CRIME_NOTE_MAX} characters "
                "or fewer"
            }
        )
    now = now or timezone.now()
    with transaction.atomic():
        outbox = tell_police(
            referral=referral,
            reason=PoliceReason.POSSIBLE_CRIME,
            now=now,
            actor=actor,
            crime_note=note,
        )
        record_event(
            actor=actor,
            action=Action.POLICE_TOLD,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"reason": PoliceReason.POSSIBLE_CRIME.value},
        )
        queue_notifications(outbox)
    return PoliceNotice.objects.filter(referral=referral).first()


def acknowledge_for_police(
    *,
    notice: PoliceNotice,
    actor: User,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> PoliceNotice:
    """A named officer of the force that was told acknowledges the referral.

    A conditional update (open -> acknowledged), so two officers pressing at
    once cannot both acknowledge, and a sweep at the same moment either
    escalated first or finds nothing open.
    """
    require(
        may_acknowledge_for_police(actor, notice),
        "Only officers of the police force that was told can acknowledge",
    )
    now = now or timezone.now()
    with transaction.atomic():
        claimed = PoliceNotice.objects.filter(pk=notice.pk, acknowledge_open=True).update(
            acknowledge_open=False, acknowledged_at=now, acknowledged_by=actor
        )
        notice.refresh_from_db()
        if not claimed:
            raise PoliceAlreadyAcknowledged(notice)
        history_of(PoliceNotice).bulk_history_create(
            [notice],
            update=True,
            default_user=actor,
            default_change_reason="Acknowledged by the police",
            default_date=now,
        )
        add_event(
            notice.referral,
            EventKind.POLICE_ACKNOWLEDGED,
            actor,
            f"Police acknowledged by {display_name(actor)} ({notice.police.name})",
            now,
        )
        record_event(
            actor=actor,
            action=Action.POLICE_ACKNOWLEDGED,
            object_type="referral",
            object_ref=notice.referral.reference,
            origin=origin,
        )
    return notice
