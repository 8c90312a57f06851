"""Transferring a referral to another front door: the wrong area, or a
family that just moved (Child BF: "Mother's movement between the two areas").

On this deployment the referral itself moves: the same reference, its whole
history, and the receiving front door's clocks starting at the transfer, with
a receipt to it. To a local authority that is not on this deployment the
referral stays where it is, marked transferred, with how, when and to whom it
was sent; someone must record that the other authority confirmed receipt, or
the sweep escalates it (referrals.escalation.ladder).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Role
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
from referrals.deadlines import compute_deadlines, rules_from_policy
from referrals.models import (
    OPEN_STATUSES,
    DeadlinePolicy,
    EventKind,
    Referral,
    ReferralClock,
    Status,
    Transfer,
    TransferMethod,
    Urgency,
)
from referrals.selectors.access import permissions_for, require
from referrals.services.common import NotAllowedNow, add_event, front_door_rules, record_history


def transfer_referral(
    *,
    referral: Referral,
    actor: User,
    reason: str,
    to_front_door: Agency | None = None,
    to_authority: str = "",
    method: str = TransferMethod.PORTAL,
    sent_to: str = "",
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Transfer:
    """Send an open referral on to the front door of the child's area.

    1. Only the front door that holds the referral may transfer it, while it
       is open (not decided, not transferred already): the referral row is
       locked, so two transfers, or a transfer and a decision, cannot both win.
    2. To a front door here: the referral moves there, waiting to be
       acknowledged, unassigned; its deadlines start at `now` on the
       receiving front door's rules; both escalation ladders start again from
       level 0 in a new round, so the receiving front door's escalations are
       new and the sending front door's are never repeated.
    3. To an authority elsewhere: the referral is marked transferred (and
       acknowledged, if nobody had: the sending front door had it in hand),
       its clocks stop, and the confirmation of receipt is due by the end of
       the next working day, then escalates like a decision.
    4. The timeline, the history, the audit and the outbox (a receipt to the
       receiving front door, a message to the referrer), in one transaction.
    """
    require(
        permissions_for(actor, referral).can_act,
        "Only the front door that holds a referral can transfer it",
    )
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why you are transferring the referral"]})
    if to_front_door is not None:
        if not to_front_door.is_active or to_front_door.kind != AgencyKind.FRONT_DOOR:
            raise ValidationError({"to_front_door": ["Select where the referral should go"]})
        if to_front_door.pk == referral.front_door_id:
            raise ValidationError({"to_front_door": ["The referral is already at this front door"]})
        method = TransferMethod.PORTAL
    elif not to_authority.strip() or not sent_to.strip():
        raise ValidationError(
            {"to_authority": ["Enter which local authority you sent it to, and to whom"]}
        )
    elif method == TransferMethod.PORTAL:
        raise ValidationError({"method": ["Select how you sent it"]})
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update()
            .filter(pk=referral.pk, front_door_id=referral.front_door_id, status__in=OPEN_STATUSES)
            .select_related("front_door", "sender")
            .first()
        )
        if locked is None:
            raise NotAllowedNow("This referral is no longer open at this front door")
        from_front_door = locked.front_door
        if to_front_door is not None:
            transfer = _move(locked, actor=actor, to=to_front_door, reason=reason, now=now)
        else:
            transfer = _send_elsewhere(
                locked,
                actor=actor,
                to_authority=to_authority.strip(),
                method=method,
                sent_to=sent_to.strip(),
                reason=reason,
                now=now,
            )
        add_event(
            locked,
            EventKind.TRANSFERRED,
            actor,
            f"Reason for the transfer, given by {display_name(actor)}: {reason}",
            now,
            front_door_only=True,
        )
        record_event(
            actor=actor,
            action=Action.TRANSFERRED,
            object_type="referral",
            object_ref=locked.reference,
            origin=origin,
            detail={
                "from_front_door": from_front_door.pk,
                "to_front_door": to_front_door.pk if to_front_door else None,
                "to_authority": transfer.to_authority,
            },
        )
        queue_notifications(_notices(locked, transfer, from_front_door=from_front_door, now=now))
    referral.refresh_from_db()
    return transfer


def _move(
    referral: Referral, *, actor: User, to: Agency, reason: str, now: dt.datetime
) -> Transfer:
    """The referral becomes the receiving front door's, its clocks new."""
    rules = rules_from_policy(DeadlinePolicy.objects.filter(front_door=to).first())
    deadlines = compute_deadlines(rules, received_at=now, urgent=referral.urgency == Urgency.URGENT)
    transfer = Transfer.objects.create(
        referral=referral,
        from_front_door_id=referral.front_door_id,
        to_front_door=to,
        method=TransferMethod.PORTAL,
        sent_to=to.name,
        reason=reason,
        transferred_at=now,
        transferred_by=actor,
    )
    Referral.objects.filter(pk=referral.pk).update(
        front_door=to,
        status=Status.SUBMITTED,
        acknowledged_at=None,
        acknowledged_by=None,
        assigned_to=None,
        assigned_at=None,
        acknowledge_by=deadlines.acknowledge_by,
        decide_by=deadlines.decide_by,
        updated_at=now,
    )
    ReferralClock.objects.filter(pk=referral.pk).update(
        acknowledge_open=True,
        acknowledge_by=deadlines.acknowledge_by,
        senior_escalation_at=deadlines.senior_escalation_at,
        escalation_level=0,
        acknowledge_round=F("acknowledge_round") + 1,
        decide_open=True,
        decide_by=deadlines.decide_by,
        decision_senior_at=deadlines.decision_senior_at,
        decision_escalation_level=0,
        decision_round=F("decision_round") + 1,
    )
    record_history(referral, actor, f"Transferred to {to.name}", now)
    add_event(
        referral,
        EventKind.TRANSFERRED,
        actor,
        f"Transferred from {transfer.from_front_door.name} to {to.name}. {to.name} will "
        f"acknowledge it by {messages.when(referral.acknowledge_by)} and decide by "
        f"{messages.when(referral.decide_by)}",
        now,
    )
    return transfer


def _send_elsewhere(
    referral: Referral,
    *,
    actor: User,
    to_authority: str,
    method: str,
    sent_to: str,
    reason: str,
    now: dt.datetime,
) -> Transfer:
    """Recorded as sent, awaiting the other authority's confirmation."""
    rules = front_door_rules(referral)
    # The confirmation is owed like a decision: by the close of the next
    # working day, then the senior managers a little later.
    due = compute_deadlines(rules, received_at=now, urgent=referral.urgency == Urgency.URGENT)
    transfer = Transfer.objects.create(
        referral=referral,
        from_front_door_id=referral.front_door_id,
        to_authority=to_authority,
        method=method,
        sent_to=sent_to,
        reason=reason,
        transferred_at=now,
        transferred_by=actor,
        awaiting_confirmation=True,
        confirm_by=due.decide_by,
        confirm_senior_at=due.decision_senior_at,
    )
    fields: dict[str, object] = {"status": Status.TRANSFERRED, "updated_at": now}
    if referral.acknowledged_at is None:
        fields |= {"acknowledged_at": now, "acknowledged_by": actor}
    Referral.objects.filter(pk=referral.pk).update(**fields)
    ReferralClock.objects.filter(pk=referral.pk).update(acknowledge_open=False, decide_open=False)
    record_history(referral, actor, f"Transferred to {to_authority}", now)
    add_event(
        referral,
        EventKind.TRANSFERRED,
        actor,
        f"Transferred to {to_authority}, which is not on Front Door: sent by "
        f"{transfer.get_method_display().lower()} to {sent_to}. Its receipt is to be confirmed "
        f"by {messages.when(due.decide_by)}",
        now,
    )
    return transfer


def _notices(
    referral: Referral, transfer: Transfer, *, from_front_door: Agency, now: dt.datetime
) -> list[Notification]:
    outbox = build_notifications(
        purpose=Purpose.TRANSFER,
        recipients=recipients_for_users([referral.sender]),
        subject=messages.transferred_subject(referral),
        body=messages.transferred_body(
            referral, to=transfer.destination, at=now, on_portal=not transfer.is_external
        ),
        referral_id=referral.pk,
        now=now,
    )
    to = transfer.to_front_door
    if to is not None:
        outbox += build_notifications(
            purpose=Purpose.TRANSFER,
            recipients=_receiving(to),
            subject=messages.transfer_in_subject(referral),
            body=messages.transfer_in_body(referral, from_front_door=from_front_door.name, at=now),
            referral_id=referral.pk,
            front_door_id=to.pk,
            now=now,
        )
        if referral.urgency == Urgency.URGENT:
            # An urgent referral must not wait for someone to read the shared
            # inbox: the receiving front door's managers are told at once, and
            # for an injured non-mobile baby its police inbox too (Child BF).
            managers = recipients_for_users(
                m.user for m in members_with_role(agency_id=to.pk, roles=[Role.MANAGER])
            )
            outbox += build_notifications(
                purpose=Purpose.URGENT_ALERT,
                recipients=managers,
                subject=messages.transfer_in_subject(referral),
                body=messages.transfer_in_body(
                    referral, from_front_door=from_front_door.name, at=now
                ),
                referral_id=referral.pk,
                front_door_id=to.pk,
                now=now,
            )
            if referral.non_mobile_injury and to.police_alert_email:
                outbox += build_notifications(
                    purpose=Purpose.POLICE,
                    recipients=[Recipient(address=to.police_alert_email)],
                    subject=messages.police_subject(referral),
                    body=messages.police_body(referral),
                    referral_id=referral.pk,
                    now=now,
                )
                add_event(
                    referral,
                    EventKind.POLICE_NOTIFIED,
                    None,
                    f"Police notified at once on transfer ({to.police_alert_email}): injury "
                    "to a non-mobile baby",
                    now,
                )
    return outbox


def _receiving(front_door: Agency) -> list[Recipient]:
    if front_door.alert_email:
        return [Recipient(address=front_door.alert_email)]
    members = members_with_role(agency_id=front_door.pk, roles=[Role.PRACTITIONER, Role.MANAGER])
    return recipients_for_users(m.user for m in members)


def confirm_transfer_received(
    *,
    transfer: Transfer,
    actor: User,
    confirmation: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Transfer:
    """Record that the other local authority confirmed it has the referral:
    the escalation stops. A conditional update, so it is recorded once."""
    referral = transfer.referral
    require(
        permissions_for(actor, referral).can_act,
        "Only the front door that sent it can record the confirmation",
    )
    confirmation = confirmation.strip()
    if not confirmation:
        raise ValidationError(
            {"confirmation": ["Enter who confirmed they have the referral, and how"]}
        )
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Transfer.objects.filter(pk=transfer.pk, awaiting_confirmation=True).update(
            awaiting_confirmation=False,
            confirmed_at=now,
            confirmed_by=actor,
            confirmation=confirmation,
        )
        if not claimed:
            raise NotAllowedNow("Receipt of this transfer is already confirmed")
        add_event(
            referral,
            EventKind.TRANSFER_CONFIRMED,
            actor,
            f"{transfer.to_authority} confirmed it has the referral: {confirmation}",
            now,
        )
        record_event(
            actor=actor,
            action=Action.TRANSFER_CONFIRMED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
    transfer.refresh_from_db()
    return transfer
