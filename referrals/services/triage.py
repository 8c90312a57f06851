"""The front door's work on a referral before its decision: take it or give
it to a worker, turn a consultation into a referral, ask the referrer or a
partner agency for more (and their answers), and link earlier history.

Each service checks who may act (referrals.selectors.access), changes state
with a conditional update, and writes history, timeline, audit and outbox
rows in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, WebhookEvent
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Notification, Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from notifications.webhooks import webhook_notifications
from referrals import messages
from referrals.deadlines import working_days_from
from referrals.models import (
    OPEN_STATUSES,
    EventKind,
    InformationRequest,
    Kind,
    LinkStatus,
    Referral,
    ReferralLink,
)
from referrals.selectors.access import (
    may_act_at,
    may_answer_for_agency,
    permissions_for,
    require,
)
from referrals.selectors.people import agency_contacts
from referrals.selectors.re_referrals import is_re_referral
from referrals.services.common import NotAllowedNow, add_event, front_door_rules, record_history

FRONT_DOOR_ONLY = "Only front-door staff of this front door can do this"


def assign_referral(
    *,
    referral: Referral,
    actor: User,
    assignee: User,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Referral:
    """Give a referral to a named worker (or take it yourself)."""
    require(permissions_for(actor, referral).can_act, FRONT_DOOR_ONLY)
    if not may_act_at(assignee, referral.front_door_id):
        raise ValidationError({"assignee": "Choose a practitioner or manager of this front door"})
    now = now or timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(
            assigned_to=assignee, assigned_at=now, updated_at=now
        )
        record_history(referral, actor, f"Assigned to {display_name(assignee)}", now)
        taken = assignee.pk == actor.pk
        add_event(
            referral,
            EventKind.ASSIGNED,
            actor,
            f"Taken by {display_name(actor)}"
            if taken
            else f"Assigned to {display_name(assignee)} by {display_name(actor)}",
            now,
        )
        record_event(
            actor=actor,
            action=Action.ASSIGNED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"assignee": assignee.get_username()},
        )
        if not taken:
            queue_notifications(
                build_notifications(
                    purpose=Purpose.ASSIGNED,
                    recipients=recipients_for_users([assignee]),
                    subject=messages.assigned_subject(referral),
                    body=messages.assigned_body(referral),
                    referral_id=referral.pk,
                    now=now,
                )
            )
    return referral


def convert_to_referral(
    *,
    referral: Referral,
    actor: User,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Referral:
    """Turn a consultation, or an open contact the front door recorded, into
    a referral, keeping its reference, its history and its deadlines (the
    clock started when it arrived) (Plymouth review: consultations confused
    with referrals). A portal sender is told."""
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door practitioners and managers can convert a consultation",
    )
    now = now or timezone.now()
    with transaction.atomic():
        was = referral.kind
        # A contact closed as information only stays closed: it is counted
        # as a contact, and a new concern is a new contact.
        changed = (
            Referral.objects.filter(pk=referral.pk)
            .filter(Q(kind=Kind.CONSULTATION) | Q(kind=Kind.CONTACT, status__in=OPEN_STATUSES))
            .update(kind=Kind.REFERRAL, updated_at=now)
        )
        if not changed:
            referral.refresh_from_db()
            return referral
        what = "a contact" if was == Kind.CONTACT else "a consultation"
        record_history(referral, actor, f"Converted from {what} to a referral", now)
        add_event(
            referral,
            EventKind.CONVERTED,
            actor,
            f"Converted from {what} to a referral by {display_name(actor)}",
            now,
        )
        record_event(
            actor=actor,
            action=Action.CONVERTED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
        if referral.is_recorded_contact:
            # The sender of a recorded contact is the worker who recorded it.
            return referral
        queue_notifications(
            build_notifications(
                purpose=Purpose.CONVERTED,
                recipients=recipients_for_users([referral.sender]),
                subject=messages.converted_subject(referral),
                body=messages.converted_body(referral),
                referral_id=referral.pk,
                now=now,
            )
        )
    return referral


def request_information(
    *,
    referral: Referral,
    actor: User,
    question: str,
    to_agency: Agency | None = None,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> InformationRequest:
    """Ask the referrer (or another partner agency) for more, with a deadline
    on the working-day calendar."""
    require(permissions_for(actor, referral).can_act, FRONT_DOOR_ONLY)
    if to_agency is not None and (
        to_agency.front_door_id != referral.front_door_id or not to_agency.is_active
    ):
        raise ValidationError({"to_agency": "Choose a partner agency of this front door"})
    if referral.status not in OPEN_STATUSES:
        raise NotAllowedNow("The decision has been made: record further work in the case file")
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Enter your question"})
    now = now or timezone.now()
    rules = front_door_rules(referral)
    due_by = working_days_from(rules, now, rules.information_request_within_working_days)
    with transaction.atomic():
        info = InformationRequest.objects.create(
            referral=referral,
            asked_by=actor,
            question=question,
            asked_at=now,
            due_by=due_by,
            to_agency=to_agency,
        )
        add_event(
            referral,
            EventKind.INFORMATION_REQUESTED,
            actor,
            f"{display_name(actor)} asked {info.asked_of} for more information",
            now,
            front_door_only=to_agency is not None,
        )
        record_event(
            actor=actor,
            action=Action.INFORMATION_REQUESTED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"to_agency": to_agency.name if to_agency else "referrer"},
        )
        people = agency_contacts(to_agency.pk) if to_agency else [referral.sender]
        hooks: list[Notification] = (
            []
            if to_agency
            else webhook_notifications(
                referral=referral, event=WebhookEvent.INFORMATION_REQUESTED, now=now
            )
        )
        queue_notifications(
            build_notifications(
                purpose=Purpose.INFORMATION_REQUEST,
                recipients=recipients_for_users(people),
                subject=messages.information_request_subject(referral),
                body=messages.information_request_body(referral, due_by=due_by),
                referral_id=referral.pk,
                now=now,
            )
            + hooks
        )
    return info


def answer_information_request(
    *,
    info: InformationRequest,
    actor: User,
    answer: str,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> InformationRequest:
    """The referrer's side, or the agency that was asked, answers."""
    referral = info.referral
    if info.to_agency_id:
        require(may_answer_for_agency(actor, info), "Only the agency that was asked can answer")
    else:
        require(
            permissions_for(actor, referral).referrer_side,
            "Only the referrer or their agency's safeguarding lead can do this",
        )
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Enter your answer"})
    now = now or timezone.now()
    with transaction.atomic():
        changed = InformationRequest.objects.filter(pk=info.pk, is_open=True).update(
            is_open=False, answer=answer, answered_by=actor, answered_at=now
        )
        if not changed:
            raise NotAllowedNow("This question has already been answered")
        info.refresh_from_db()
        InformationRequest.history.bulk_history_create(
            [info], update=True, default_user=actor, default_date=now
        )
        where = f" ({info.to_agency.name})" if info.to_agency else ""
        add_event(
            referral,
            EventKind.INFORMATION_GIVEN,
            actor,
            f"{display_name(actor)}{where} answered the front door's question",
            now,
            front_door_only=bool(info.to_agency_id),
        )
        record_event(
            actor=actor,
            action=Action.INFORMATION_GIVEN,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
        queue_notifications(
            build_notifications(
                purpose=Purpose.INFORMATION_GIVEN,
                recipients=recipients_for_users([info.asked_by]),
                subject=messages.information_given_subject(referral),
                body=messages.information_given_body(referral),
                referral_id=referral.pk,
                now=now,
            )
        )
    return info


def record_link(
    *,
    referral: Referral,
    earlier: Referral,
    actor: User,
    confirmed: bool,
    reason: str = "",
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> ReferralLink:
    """Keep a worker's decision on a suggested earlier referral: the same
    child or household, or not. Confirmed links show beside the referral from
    then on; rejected ones are not suggested again."""
    require(permissions_for(actor, referral).can_link_history, FRONT_DOOR_ONLY)
    if earlier.front_door_id != referral.front_door_id or earlier.pk == referral.pk:
        raise PermissionDenied("Only earlier referrals to the same front door can be linked")
    now = now or timezone.now()
    status = LinkStatus.CONFIRMED if confirmed else LinkStatus.REJECTED
    with transaction.atomic():
        link, _ = ReferralLink.objects.update_or_create(
            referral=referral,
            earlier=earlier,
            defaults={
                "status": status,
                "reason": (reason or "Linked by a worker")[:200],
                "decided_by": actor,
                "decided_at": now,
            },
        )
        # The partnership figures count a referral linked to one from the 12
        # months before as a re-referral. Worked out again from all its links,
        # so a link confirmed and later rejected stops counting, and under a
        # lock on the referral, so two links recorded at the same moment
        # cannot overwrite each other's answer.
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        Referral.objects.filter(pk=referral.pk).update(is_re_referral=is_re_referral(referral))
        if confirmed:
            add_event(
                referral,
                EventKind.HISTORY_LINKED,
                actor,
                f"{display_name(actor)} linked earlier {earlier.get_kind_display().lower()} "
                f"{earlier.reference}",
                now,
                front_door_only=True,
            )
        record_event(
            actor=actor,
            action=Action.LINKED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"earlier": earlier.reference, "status": status},
        )
    return link
