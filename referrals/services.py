"""Writes to referrals: submit and acknowledge.

Each service runs in one transaction with the referral's history, its timeline
event, its audit event and its outbox rows. Nothing is sent inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import ACKNOWLEDGING_ROLES, Role
from agencies.selectors import get_access, members_with_role
from audit.models import Action
from audit.services import record_event
from notifications.models import Purpose
from notifications.services import (
    Recipient,
    build_notifications,
    queue_notifications,
    recipients_for_users,
)
from referrals import messages
from referrals.deadlines import compute_deadlines, rules_from_policy
from referrals.models import (
    DeadlinePolicy,
    EventKind,
    Kind,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from referrals.references import new_reference


@dataclass(frozen=True)
class Submission:
    """What a sender tells us; validated by the form or the API serializer."""

    kind: str
    urgency: str
    child_first_name: str
    child_last_name: str
    child_date_of_birth: dt.date | None
    concern_summary: str
    sender_phone: str


class AlreadyAcknowledged(Exception):
    def __init__(self, referral: Referral) -> None:
        super().__init__(f"{referral.reference} is already acknowledged")
        self.referral = referral


def _create_with_unique_reference(**fields: object) -> Referral:
    # Seven random symbols give 34 billion references; a clash is rare but
    # possible, so retry inside a savepoint instead of failing the submission.
    for _ in range(8):
        try:
            with transaction.atomic():
                return Referral.objects.create(reference=new_reference(), **fields)
        except IntegrityError as exc:
            if "reference" not in str(exc).lower():
                raise
    raise RuntimeError("Could not allocate a unique reference")


def submit_referral(
    *,
    sender: AbstractBaseUser,
    submission: Submission,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Record a referral or consultation and everything that follows from it.

    1. Work out the sending agency and its front door from the sender's role.
    2. Compute deadlines from the front door's rules and the time received.
    3. In one transaction: the referral (history comes with it), its first
       timeline event, the audit event, a receipt to the sender and an
       arrival alert to the front door in the outbox.
    The dispatcher is nudged only after commit; if the broker is down the
    referral and its receipt are unaffected.
    """
    access = get_access(sender)
    grant = access.sending_grant()
    if grant is None or grant.front_door_id is None:
        raise PermissionDenied("You cannot send referrals from this account")
    if submission.kind not in Kind.values or submission.urgency not in Urgency.values:
        raise ValueError("Unknown kind or urgency")
    received_at = now or timezone.now()

    with transaction.atomic():
        policy = DeadlinePolicy.objects.filter(front_door_id=grant.front_door_id).first()
        deadlines = compute_deadlines(
            rules_from_policy(policy),
            received_at=received_at,
            urgent=submission.urgency == Urgency.URGENT,
        )
        referral = _create_with_unique_reference(
            kind=submission.kind,
            urgency=submission.urgency,
            status=Status.SUBMITTED,
            front_door_id=grant.front_door_id,
            sending_agency_id=grant.agency_id,
            sender=sender,
            sender_phone=submission.sender_phone,
            child_first_name=submission.child_first_name,
            child_last_name=submission.child_last_name,
            child_date_of_birth=submission.child_date_of_birth,
            concern_summary=submission.concern_summary,
            received_at=received_at,
            acknowledge_by=deadlines.acknowledge_by,
            decide_by=deadlines.decide_by,
            senior_escalation_at=deadlines.senior_escalation_at,
        )
        ReferralEvent.objects.create(
            referral=referral,
            kind=EventKind.SUBMITTED,
            at=received_at,
            actor=sender,
            summary=f"{referral.get_kind_display()} received from {grant.agency_name}",
        )
        record_event(
            actor=sender,
            action=Action.CREATED,
            object_type="referral",
            object_ref=referral.reference,
            via=via,
            request=request,
        )
        outbox = build_notifications(
            purpose=Purpose.RECEIPT,
            recipients=recipients_for_users([sender]),
            subject=messages.receipt_subject(referral),
            body=messages.receipt_body(referral),
            referral_id=referral.pk,
            now=received_at,
        )
        outbox += build_notifications(
            purpose=Purpose.ARRIVAL,
            recipients=_front_door_alert_recipients(grant.front_door_id),
            subject=messages.arrival_subject(referral),
            body=messages.arrival_body(referral),
            referral_id=referral.pk,
            now=received_at,
        )
        queue_notifications(outbox)
    return referral


def _front_door_alert_recipients(front_door_id: int) -> list[Recipient]:
    from agencies.models import Agency

    inbox = Agency.objects.filter(pk=front_door_id).values_list("alert_email", flat=True).first()
    if inbox:
        return [Recipient(address=inbox)]
    members = members_with_role(
        agency_id=front_door_id, roles=[Role.PRACTITIONER, Role.MANAGER]
    )
    return recipients_for_users(m.user for m in members)


def acknowledge_referral(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Record that a named front-door worker has the referral in hand.

    The change is a conditional update (submitted -> acknowledged), so two
    workers pressing the button at once cannot both acknowledge, and a
    concurrent escalation sweep (which also requires 'submitted') either ran
    before or will not run at all.
    """
    access = get_access(actor)
    if referral.front_door_id not in access.front_door_ids_with(ACKNOWLEDGING_ROLES):
        raise PermissionDenied("Only front-door practitioners and managers can acknowledge")
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
            status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, updated_at=now
        )
        referral.refresh_from_db()
        if not claimed:
            raise AlreadyAcknowledged(referral)
        Referral.history.bulk_history_create(
            [referral],
            update=True,
            default_user=actor,
            default_change_reason="Acknowledged",
            default_date=now,
        )
        name = actor.get_full_name() or actor.get_username()  # type: ignore[attr-defined]
        ReferralEvent.objects.create(
            referral=referral,
            kind=EventKind.ACKNOWLEDGED,
            at=now,
            actor=actor,
            summary=f"Acknowledged by {name}",
        )
        record_event(
            actor=actor,
            action=Action.ACKNOWLEDGED,
            object_type="referral",
            object_ref=referral.reference,
            via=via,
            request=request,
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
        )
    return referral
