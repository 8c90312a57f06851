"""Writes to referrals: submit and acknowledge.

Each service runs in one transaction with the referral's history, its timeline
event, its audit event and its outbox rows. Nothing is sent inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import ACKNOWLEDGING_ROLES, Agency, Role, WebhookEvent
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
from notifications.webhooks import webhook_notifications
from referrals import messages
from referrals.content import Content
from referrals.deadlines import Rules, compute_deadlines, rules_from_policy
from referrals.escalations import start_clocks, stop_clocks
from referrals.history import history_of
from referrals.models import (
    Adult,
    Child,
    ConcernCategory,
    Draft,
    EventKind,
    InvolvedAgency,
    Kind,
    PreviousArea,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from referrals.references import new_reference
from referrals.reporting import referred_in_year_before

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
        c for c in content.children
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
    return Pathway(urgent=urgent, non_mobile_injury=non_mobile, early_pre_birth=early_pre_birth,
                   reasons=tuple(reasons))


class DraftAlreadySent(Exception):
    """The draft was sent already (or deleted) by another request."""


class AlreadyAcknowledged(Exception):
    def __init__(self, referral: Referral) -> None:
        super().__init__(f"{referral.reference} is already acknowledged")
        self.referral = referral


def _create_with_unique_reference(*, sender: AbstractBaseUser, **fields: Any) -> Referral:
    """The referral row and its first version in the history, dated when it
    was received (like its parts' first versions) and by its sender."""
    # Seven random symbols give 34 billion references; a clash is rare but
    # possible, so retry inside a savepoint instead of failing the submission.
    for _ in range(8):
        try:
            with transaction.atomic():
                referral = Referral(reference=new_reference(), sender=sender, **fields)
                Referral.objects.bulk_create([referral])
                break
        except IntegrityError as exc:
            if "reference" not in str(exc).lower():
                raise
    else:
        raise RuntimeError("Could not allocate a unique reference")
    history_of(Referral).bulk_history_create([referral], default_user=sender, default_date=referral.received_at)
    return referral


def submit_referral(
    *,
    sender: AbstractBaseUser,
    content: Content,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
    draft: Draft | None = None,
) -> Referral:
    """Record a referral or consultation and everything that follows from it.

    1. Work out the sending agency and its front door from the sender's role.
    2. Work out the pathway (urgent, non-mobile baby, early pre-birth) and the
       deadlines from the front door's rules and the time received.
    3. In one transaction: the referral and its children, adults, agencies
       and previous areas (history comes with them), the timeline, the audit
       event, and the outbox: a receipt to the sender, an arrival alert to the
       front door and, for an injured non-mobile baby, the police and the
       managers at once. The draft it came from, if any, is deleted.
    The dispatcher is nudged only after commit; if the broker is down the
    referral and its receipt are unaffected.
    """
    access = get_access(sender)
    grant = access.sending_grant()
    if grant is None or grant.front_door_id is None:
        raise PermissionDenied("You cannot send referrals from this account")
    if content.kind not in Kind.values or content.urgency not in Urgency.values:
        raise ValueError("Unknown kind or urgency")
    received_at = now or timezone.now()

    with transaction.atomic():
        # A draft becomes one referral, once: the first send takes the draft,
        # a second (a double click) finds it gone and sends nothing.
        if draft is not None and not Draft.objects.filter(pk=draft.pk, author=sender).delete()[0]:
            raise DraftAlreadySent()
        front_door = Agency.objects.select_related("deadline_policy").get(pk=grant.front_door_id)
        rules = rules_from_policy(getattr(front_door, "deadline_policy", None))
        pathway = pathway_for(content, received_at=received_at, rules=rules)
        deadlines = compute_deadlines(rules, received_at=received_at, urgent=pathway.urgent)
        concern, consent, sender_details = content.concern, content.consent, content.sender
        referral = _create_with_unique_reference(
            kind=content.kind,
            urgency=Urgency.URGENT if pathway.urgent else Urgency.STANDARD,
            status=Status.SUBMITTED,
            front_door=front_door,
            sending_agency_id=grant.agency_id,
            sender=sender,
            sender_phone=sender_details["phone"],
            sender_availability=sender_details.get("availability", ""),
            concern_categories=list(concern["categories"]),
            what_happened=concern["what_happened"],
            when_happened=concern["when_happened"],
            childs_experience=concern["childs_experience"],
            action_taken=concern["action_taken"],
            immediate_risk=concern["immediate_risk"] == "yes",
            family_aware=consent["family_aware"] == "yes",
            consent=consent["consent"],
            no_consent_basis=consent.get("no_consent_basis", ""),
            no_consent_reason=consent.get("no_consent_reason", ""),
            father_not_recorded_reason=content.father_not_recorded_reason,
            expected_due_date=content.earliest_due_date,
            is_re_referral=referred_in_year_before(
                front_door_id=front_door.pk, received_at=received_at,
                nhs_numbers=[child.get("nhs_number") for child in content.children],
            ),
            non_mobile_injury=pathway.non_mobile_injury,
            strategy_discussion_by=(
                received_at + dt.timedelta(hours=rules.strategy_discussion_within_hours)
                if pathway.non_mobile_injury else None
            ),
            police_notified_at=received_at if pathway.non_mobile_injury else None,
            received_at=received_at,
            acknowledge_by=deadlines.acknowledge_by,
            decide_by=deadlines.decide_by,
        )
        start_clocks(referral, deadlines)
        _create_parts(referral, content)
        summary = f"{referral.get_kind_display()} received from {grant.agency_name}"
        if pathway.reasons:
            summary += f". Urgent: {', '.join(pathway.reasons)}"
        ReferralEvent.objects.create(
            referral=referral,
            kind=EventKind.SUBMITTED,
            at=received_at,
            actor=sender,
            summary=summary[:300],
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
            recipients=_front_door_alert_recipients(front_door),
            subject=messages.arrival_subject(referral),
            body=messages.arrival_body(referral),
            referral_id=referral.pk,
            now=received_at,
        )
        if pathway.non_mobile_injury:
            outbox += _non_mobile_baby_alerts(referral, front_door, received_at)
        if pathway.urgent and not rules.calendar.is_working_time(received_at) and front_door.edt_alert_email:
            # Out of office hours an urgent referral goes to the emergency duty
            # team as well: its deadlines run on the clock, not the office day.
            outbox += build_notifications(
                purpose=Purpose.OUT_OF_HOURS,
                recipients=[Recipient(address=front_door.edt_alert_email)],
                subject=messages.arrival_subject(referral),
                body=messages.arrival_body(referral),
                referral_id=referral.pk,
                now=received_at,
            )
            ReferralEvent.objects.create(
                referral=referral, kind=EventKind.OUT_OF_HOURS, at=received_at,
                summary=f"Out of office hours: emergency duty team alerted ({front_door.edt_alert_email})",
            )
        queue_notifications(outbox)
    return referral


def _create_parts(referral: Referral, content: Content) -> None:
    """Children, adults, other agencies and previous areas, in the order given."""
    child_fields = {f.name for f in Child._meta.fields} - {"id", "referral", "position"}
    adult_fields = {f.name for f in Adult._meta.fields} - {"id", "referral", "position"}
    parts = {
        Child: [Child(referral=referral, position=i, **{k: v if v is not None else _blank(Child, k)
                      for k, v in child.items() if k in child_fields})
                for i, child in enumerate(content.children)],
        Adult: [Adult(referral=referral, position=i, **{k: v if v is not None else _blank(Adult, k)
                      for k, v in adult.items() if k in adult_fields})
                for i, adult in enumerate(content.adults)],
        InvolvedAgency: [InvolvedAgency(referral=referral, position=i, **agency)
                         for i, agency in enumerate(content.other_agencies)],
        PreviousArea: [PreviousArea(referral=referral, position=i, **area)
                       for i, area in enumerate(content.previous_areas)],
    }
    for model, rows in parts.items():
        if not rows:
            continue
        # bulk_create fills in the new ids (INSERT ... RETURNING) and skips
        # django-simple-history: record the first version of each from the
        # rows in hand rather than reading them back.
        created = model.objects.bulk_create(rows)
        if any(row.pk is None for row in created):  # a database that cannot return ids
            created = list(model.objects.filter(referral=referral))
        history_of(model).bulk_history_create(created, default_date=referral.received_at)


def _blank(model: type, name: str) -> Any:
    return None if model._meta.get_field(name).null else ""


def _non_mobile_baby_alerts(referral: Referral, front_door: Agency, now: dt.datetime) -> list:
    """Injury to a non-mobile baby: police and managers told at once, and the
    timeline says so (Child BF finding 7: police were told late)."""
    alerts = []
    if front_door.police_alert_email:
        police = [Recipient(address=front_door.police_alert_email)]
        alerts += build_notifications(
            purpose=Purpose.POLICE,
            recipients=police,
            subject=messages.police_subject(referral),
            body=messages.police_body(referral),
            referral_id=referral.pk,
            now=now,
        )
        ReferralEvent.objects.create(
            referral=referral, kind=EventKind.POLICE_NOTIFIED, at=now,
            summary=f"Police notified at once ({front_door.police_alert_email}): injury to a non-mobile baby",
        )
    managers = recipients_for_users(
        m.user for m in members_with_role(agency_id=front_door.pk, roles=[Role.MANAGER])
    )
    alerts += build_notifications(
        purpose=Purpose.URGENT_ALERT,
        recipients=managers,
        subject=messages.urgent_subject(referral),
        body=messages.urgent_body(referral),
        referral_id=referral.pk,
        now=now,
    )
    ReferralEvent.objects.create(
        referral=referral, kind=EventKind.MANAGERS_ALERTED, at=now,
        summary="Front-door managers alerted at once: injury to a non-mobile baby",
    )
    return alerts


def _front_door_alert_recipients(front_door: Agency) -> list[Recipient]:
    if front_door.alert_email:
        return [Recipient(address=front_door.alert_email)]
    members = members_with_role(
        agency_id=front_door.pk, roles=[Role.PRACTITIONER, Role.MANAGER]
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
        stop_clocks(referral.pk, acknowledgement=True)
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
            + webhook_notifications(referral=referral, event=WebhookEvent.ACKNOWLEDGED, now=now)
        )
    return referral


def convert_to_referral(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Turn a consultation into a referral, keeping its reference, its history
    and its deadlines (the clock started when it arrived) (Plymouth review:
    consultations confused with referrals). The sender is told."""
    access = get_access(actor)
    if referral.front_door_id not in access.front_door_ids_with(ACKNOWLEDGING_ROLES):
        raise PermissionDenied("Only front-door practitioners and managers can convert a consultation")
    now = now or timezone.now()
    with transaction.atomic():
        changed = Referral.objects.filter(pk=referral.pk, kind=Kind.CONSULTATION).update(
            kind=Kind.REFERRAL, updated_at=now
        )
        referral.refresh_from_db()
        if not changed:
            return referral
        Referral.history.bulk_history_create(
            [referral], update=True, default_user=actor,
            default_change_reason="Converted from a consultation to a referral", default_date=now,
        )
        name = actor.get_full_name() or actor.get_username()  # type: ignore[attr-defined]
        ReferralEvent.objects.create(
            referral=referral, kind=EventKind.CONVERTED, at=now, actor=actor,
            summary=f"Converted from a consultation to a referral by {name}",
        )
        record_event(actor=actor, action=Action.CONVERTED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request)
        queue_notifications(build_notifications(
            purpose=Purpose.CONVERTED,
            recipients=recipients_for_users([referral.sender]),
            subject=messages.converted_subject(referral),
            body=messages.converted_body(referral),
            referral_id=referral.pk,
            now=now,
        ))
    return referral


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was used with a different request body."""


def fingerprint_of(body: Any) -> str:
    import hashlib
    import json

    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit_referral_once(
    *,
    sender: AbstractBaseUser,
    content: Content,
    idempotency_key: str,
    fingerprint: str,
    via: str = "api",
    request: HttpRequest | None = None,
) -> tuple[Referral, bool]:
    """Submit, unless this sender already submitted with this key.

    Returns (referral, created). The key's record is written last, in the
    referral's transaction, by INSERT ... ON CONFLICT DO NOTHING: a retry
    while the first is still being written waits on the unique index until
    it commits, finds the key taken, and rolls its own referral back; then
    (as for any later retry) the first referral is returned. Retries are rare,
    so every submission saves a savepoint and an update by not claiming the
    key first.
    """
    from referrals.models import IdempotencyRecord

    try:
        with transaction.atomic():
            referral = submit_referral(sender=sender, content=content, via=via, request=request)
            if not _claim_idempotency_key(sender=sender, key=idempotency_key, fingerprint=fingerprint,
                                          referral=referral):
                raise _KeyTaken()
    except _KeyTaken:
        existing = IdempotencyRecord.objects.select_related("referral").get(user=sender, key=idempotency_key)
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict() from None
        return existing.referral, False
    return referral, True


class _KeyTaken(Exception):
    """Another submission with this Idempotency-Key committed first."""


def _claim_idempotency_key(*, sender: AbstractBaseUser, key: str, fingerprint: str, referral: Referral) -> bool:
    from referrals.models import IdempotencyRecord

    table, key_column = IdempotencyRecord._meta.db_table, connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, {key_column}, fingerprint, referral_id, created_at) "  # noqa: S608 - our own table and column names; # nosec B608
            f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, {key_column}) DO NOTHING RETURNING id",
            [sender.pk, key, fingerprint, referral.pk, connection.ops.adapt_datetimefield_value(referral.received_at)],
        )
        return cursor.fetchone() is not None
