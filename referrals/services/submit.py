"""Submitting a referral or consultation: the receipt, the deadlines and
everything owed, in one transaction, and once per Idempotency-Key.

Nothing is sent inside the transaction: the outbox rows are delivered after
it commits, and if the broker is down the referral and its receipt stand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from agencies.models import Agency, OnCallRole, Role
from agencies.selectors import get_access, members_with_role, on_call_phones
from audit.models import Action
from audit.services import WEB, Origin, record_event
from notifications.models import Notification, Purpose
from notifications.services import (
    Recipient,
    build_notifications,
    build_texts,
    queue_notifications,
    recipients_for_users,
)
from referrals import messages
from referrals.content import Content
from referrals.deadlines import compute_deadlines, rules_from_policy, unattended_out_of_hours
from referrals.escalation.clock import deadline_fields, start_clocks
from referrals.models import (
    FATHER_FIGURES,
    Adult,
    Child,
    Draft,
    EventKind,
    IdempotencyRecord,
    InvolvedAgency,
    Kind,
    PoliceNotice,
    PoliceReason,
    PreviousArea,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from referrals.pathways import pathway_for
from referrals.references import new_reference
from referrals.routing import route_children
from referrals.selectors.re_referrals import referred_in_year_before
from referrals.services.attachments import give_documents_to, take_documents_of_draft
from referrals.services.common import history_of
from referrals.services.police import tell_police


class DraftAlreadySent(Exception):
    """The draft was sent already (or deleted) by another request."""


def _create_with_unique_reference(*, sender: User, **fields: Any) -> Referral:
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
    history_of(Referral).bulk_history_create(
        [referral], default_user=sender, default_date=referral.received_at
    )
    return referral


def submit_referral(
    *,
    sender: User,
    content: Content,
    origin: Origin = WEB,
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

    sending_agency = Agency.objects.get(pk=grant.agency_id)
    routes = route_children(
        sending_agency=sending_agency,
        postcodes=[str(child.get("postcode") or "") for child in content.children],
        choice=content.front_door,
    )

    with transaction.atomic():
        # A draft becomes one referral, once: the first send takes the draft,
        # a second (a double click) finds it gone and sends nothing.
        # Its documents are unhooked first so that they outlive it.
        documents = take_documents_of_draft(draft) if draft is not None else []
        if draft is not None and not Draft.objects.filter(pk=draft.pk, author=sender).delete()[0]:
            raise DraftAlreadySent()
        first: Referral | None = None
        for route in routes:
            # Children in different front doors' areas: each front door gets
            # its own children and everything else the sender wrote.
            part = replace(content, children=[content.children[i] for i in route.children])
            referral = _submit_to(
                front_door_id=route.front_door.pk,
                sender=sender,
                agency_name=grant.agency_name,
                agency_id=grant.agency_id,
                content=part,
                received_at=received_at,
                origin=origin,
                sent_with=first,
            )
            if first is None:
                first = referral
            else:
                _link_sent_together(first, referral, received_at)
        if first is None:  # content is checked to have at least one child
            raise ValueError("A referral needs at least one child")
        # Documents sent with the draft go with the referral the sender is shown.
        give_documents_to(first, documents, received_at)
    return first


def _link_sent_together(first: Referral, other: Referral, now: dt.datetime) -> None:
    """Both timelines say where the rest of the children went."""
    ReferralEvent.objects.create(
        referral=first,
        kind=EventKind.SENT_TOGETHER,
        at=now,
        summary=f"Sent together with {other.reference} to {other.front_door.name}: "
        "children there live in its area",
    )
    ReferralEvent.objects.create(
        referral=other,
        kind=EventKind.SENT_TOGETHER,
        at=now,
        summary=f"Sent together with {first.reference} to {first.front_door.name}: "
        "children there live in its area",
    )


def _submit_to(
    *,
    front_door_id: int,
    sender: User,
    agency_name: str,
    agency_id: int,
    content: Content,
    received_at: dt.datetime,
    origin: Origin,
    sent_with: Referral | None,
) -> Referral:
    """One referral to one front door, in the caller's transaction."""
    front_door = Agency.objects.select_related("deadline_policy").get(pk=front_door_id)
    rules = rules_from_policy(getattr(front_door, "deadline_policy", None))
    pathway = pathway_for(content, received_at=received_at, rules=rules)
    deadlines = compute_deadlines(rules, received_at=received_at, urgent=pathway.urgent)
    concern, consent, sender_details = content.concern, content.consent, content.sender
    referral = _create_with_unique_reference(
        kind=content.kind,
        urgency=Urgency.URGENT if pathway.urgent else Urgency.STANDARD,
        status=Status.SUBMITTED,
        front_door=front_door,
        sending_agency_id=agency_id,
        sent_with=sent_with,
        sender=sender,
        sender_phone=sender_details["phone"],
        sender_availability=sender_details.get("availability", ""),
        concern_categories=list(concern["categories"]),
        what_happened=concern["what_happened"],
        when_happened=concern["when_happened"],
        childs_experience=concern["childs_experience"],
        action_taken=concern["action_taken"],
        immediate_risk=concern["immediate_risk"] == "yes",
        baby_injury=concern.get("baby_injury") or "",
        baby_collapse=concern.get("baby_collapse") or "",
        abuse_in_differential=concern.get("abuse_in_differential") or "",
        family_aware=consent["family_aware"] == "yes",
        consent=consent["consent"],
        no_consent_basis=consent.get("no_consent_basis", ""),
        no_consent_reason=consent.get("no_consent_reason", ""),
        father_not_recorded_reason=content.father_not_recorded_reason,
        father_recorded=any(
            adult.get("relationship") in FATHER_FIGURES for adult in content.adults
        ),
        expected_due_date=content.earliest_due_date,
        is_re_referral=referred_in_year_before(
            front_door_id=front_door.pk,
            received_at=received_at,
            nhs_numbers=[child.get("nhs_number") for child in content.children],
        ),
        non_mobile_injury=pathway.non_mobile_injury,
        urgent_reasons=list(pathway.reasons),
        strategy_discussion_by=(
            received_at + dt.timedelta(hours=rules.strategy_discussion_within_hours)
            if pathway.non_mobile_injury
            else None
        ),
        police_notified_at=received_at if pathway.non_mobile_injury else None,
        received_at=received_at,
        **deadline_fields(deadlines),
    )
    start_clocks(referral, deadlines)
    _create_parts(referral, content)
    summary = f"{referral.get_kind_display()} received from {agency_name}"
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
        origin=origin,
    )
    outbox = build_notifications(
        purpose=Purpose.RECEIPT,
        recipients=recipients_for_users([sender]),
        subject=messages.receipt_subject(referral),
        body=messages.receipt_body(
            referral,
            unattended=unattended_out_of_hours(
                rules,
                received_at=received_at,
                urgent=pathway.urgent,
                duty_team_address=front_door.edt_alert_email,
            ),
        ),
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
    if (
        pathway.urgent
        and not rules.calendar.is_working_time(received_at)
        and front_door.edt_alert_email
    ):
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
            referral=referral,
            kind=EventKind.OUT_OF_HOURS,
            at=received_at,
            summary="Out of office hours: emergency duty team alerted "
            f"({front_door.edt_alert_email})",
        )
    outbox += _on_call_texts(
        referral,
        non_mobile_injury=pathway.non_mobile_injury,
        out_of_hours=pathway.urgent and not rules.calendar.is_working_time(received_at),
        now=received_at,
    )
    queue_notifications(outbox)
    return referral


def _on_call_texts(
    referral: Referral, *, non_mobile_injury: bool, out_of_hours: bool, now: dt.datetime
) -> list[Notification]:
    """What cannot wait for an inbox (an injured baby; an urgent referral out
    of hours) is texted to the front door's on-call duty manager too, once
    per phone: the reason, the reference and a link (no child's details)."""
    if non_mobile_injury:
        purpose, reason = Purpose.URGENT_ALERT, messages.TEXT_INJURED_BABY
    elif out_of_hours:
        purpose, reason = Purpose.OUT_OF_HOURS, messages.TEXT_URGENT_OUT_OF_HOURS
    else:
        return []
    phones = on_call_phones(
        front_door_id=referral.front_door_id, roles=[OnCallRole.DUTY_MANAGER], at=now
    )
    return build_texts(
        purpose=purpose,
        phones=phones,
        text=messages.urgent_text(referral, reason=reason),
        referral_id=referral.pk,
        now=now,
    )


def _create_parts(referral: Referral, content: Content) -> None:
    """Children, adults, other agencies and previous areas, in the order given."""
    child_fields = {f.name for f in Child._meta.fields} - {"id", "referral", "position"}
    adult_fields = {f.name for f in Adult._meta.fields} - {"id", "referral", "position"}
    parts: dict[type[models.Model], list[models.Model]] = {
        Child: [
            Child(
                referral=referral,
                position=i,
                **{
                    k: v if v is not None else _blank(Child, k)
                    for k, v in child.items()
                    if k in child_fields
                },
            )
            for i, child in enumerate(content.children)
        ],
        Adult: [
            Adult(
                referral=referral,
                position=i,
                **{
                    k: v if v is not None else _blank(Adult, k)
                    for k, v in adult.items()
                    if k in adult_fields
                },
            )
            for i, adult in enumerate(content.adults)
        ],
        InvolvedAgency: [
            InvolvedAgency(referral=referral, position=i, **agency)
            for i, agency in enumerate(content.other_agencies)
        ],
        PreviousArea: [
            PreviousArea(referral=referral, position=i, **area)
            for i, area in enumerate(content.previous_areas)
        ],
    }
    for model, rows in parts.items():
        if not rows:
            continue
        # bulk_create fills in the new ids (INSERT ... RETURNING) and skips
        # django-simple-history: record the first version of each from the
        # rows in hand rather than reading them back.
        # (These models have only their default manager, `objects`.)
        created = model._default_manager.bulk_create(rows)
        if any(row.pk is None for row in created):  # a database that cannot return ids
            created = list(model._default_manager.filter(referral=referral))
        history_of(model).bulk_history_create(created, default_date=referral.received_at)


def _blank(model: type[models.Model], name: str) -> Any:
    field = model._meta.get_field(name)  # one of the model's own columns
    return None if isinstance(field, models.Field) and field.null else ""


def _non_mobile_baby_alerts(
    referral: Referral, front_door: Agency, now: dt.datetime
) -> list[Notification]:
    """Injury to a non-mobile baby: police and managers told at once, and the
    timeline says so (Child BF finding 7: police were told late)."""
    alerts: list[Notification] = []
    # The police's own record, for an officer to acknowledge (referrals.services.police).
    tell_police(referral=referral, reason=PoliceReason.INJURED_BABY, now=now, email=False)
    notice = PoliceNotice.objects.filter(referral=referral).first()
    if front_door.police_alert_email:
        police = [Recipient(address=front_door.police_alert_email)]
        alerts += build_notifications(
            purpose=Purpose.POLICE,
            recipients=police,
            subject=messages.police_subject(referral),
            body=messages.police_body(referral)
            if notice is None
            else messages.police_told_body(
                referral,
                reason=PoliceReason.INJURED_BABY.label,
                acknowledge_by=notice.acknowledge_by,
            ),
            referral_id=referral.pk,
            now=now,
        )
        ReferralEvent.objects.create(
            referral=referral,
            kind=EventKind.POLICE_NOTIFIED,
            at=now,
            summary=f"Police notified at once ({front_door.police_alert_email}): injury to a "
            "non-mobile baby",
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
        referral=referral,
        kind=EventKind.MANAGERS_ALERTED,
        at=now,
        summary="Front-door managers alerted at once: injury to a non-mobile baby",
    )
    return alerts


def _front_door_alert_recipients(front_door: Agency) -> list[Recipient]:
    if front_door.alert_email:
        return [Recipient(address=front_door.alert_email)]
    members = members_with_role(agency_id=front_door.pk, roles=[Role.PRACTITIONER, Role.MANAGER])
    return recipients_for_users(m.user for m in members)


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was used with a different request body."""


def fingerprint_of(body: Any) -> str:
    """The request body's hash, to tell a retry from a different referral."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit_referral_once(
    *,
    sender: User,
    content: Content,
    idempotency_key: str,
    fingerprint: str,
    origin: Origin = WEB,
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
    try:
        with transaction.atomic():
            referral = submit_referral(sender=sender, content=content, origin=origin)
            if not _claim_idempotency_key(
                sender=sender, key=idempotency_key, fingerprint=fingerprint, referral=referral
            ):
                raise _KeyTaken()
    except _KeyTaken:
        existing = IdempotencyRecord.objects.select_related("referral").get(
            user=sender, key=idempotency_key
        )
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict() from None
        # A key's record is only ever written with the referral it made.
        return cast(Referral, existing.referral), False
    return referral, True


class _KeyTaken(Exception):
    """Another submission with this Idempotency-Key committed first."""


def _claim_idempotency_key(*, sender: User, key: str, fingerprint: str, referral: Referral) -> bool:
    table, key_column = IdempotencyRecord._meta.db_table, connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, {key_column}, fingerprint, referral_id, created_at) "  # noqa: S608 - our own table and column names; # nosec B608
            f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, {key_column}) DO NOTHING "
            "RETURNING id",
            [
                sender.pk,
                key,
                fingerprint,
                referral.pk,
                connection.ops.adapt_datetimefield_value(referral.received_at),
            ],
        )
        return cursor.fetchone() is not None
