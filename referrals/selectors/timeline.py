"""What happened to a referral, for its page and the API: the timeline,
its escalations and questions, and its parts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects

from notifications.models import Channel, DeliveryStatus
from referrals.escalation.ladder import STEP_SUMMARIES
from referrals.models import Escalation, EscalationRule, EventKind, Referral
from referrals.selectors.access import User, permissions_for


def with_parts(referral: Referral) -> Referral:
    """Load a referral's children, adults, agencies and previous areas."""
    prefetch_related_objects(
        [referral], "children", "adults", "involved_agencies", "previous_areas"
    )
    return referral


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    summary: str


def timeline(
    referral: Referral, *, viewer: User, escalations: list[Escalation] | None = None
) -> list[TimelineItem]:
    """Everything that happened, oldest first: the services' events, the
    escalations, and the emails sent or failed (so a failed message is never
    invisible).

    The front door sees it all. The referrer's side does not see what other
    agencies said or which earlier referrals were linked, and sees only the
    emails sent to them.
    """
    permissions = permissions_for(viewer, referral)
    front_door = permissions.front_door_staff
    events = referral.events.order_by("at", "id")
    notes = referral.notifications.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED])
    if permissions.sent_away_at is not None:
        # A front door that transferred it away sees what it sent, no more.
        cut = permissions.sent_away_at
        events = events.filter(at__lte=cut)
        notes = notes.filter(created_at__lte=cut)
        everything = escalations_for(referral) if escalations is None else escalations
        escalations = [e for e in everything if e.escalated_at <= cut]
    elif not front_door:
        events = events.filter(front_door_only=False)
        notes = notes.filter(recipient_id=getattr(viewer, "pk", None))
    items = [
        TimelineItem(at=e.at, kind=e.kind, title=e.get_kind_display(), summary=e.summary)
        for e in events
    ]
    # The sweep's record of each escalation is the escalation row itself.
    items += [
        TimelineItem(
            at=e.escalated_at,
            kind=EventKind.ESCALATED,
            title=EventKind.ESCALATED.label,
            summary=STEP_SUMMARIES.get((e.rule, e.level), f"{e.get_rule_display()}: escalated"),
        )
        for e in (
            escalations_for(referral, front_door=front_door) if escalations is None else escalations
        )
    ]
    # "referral" too: the related manager sets each row's referral from its
    # referral_id, which would otherwise be fetched once per email (N+1).
    for note in notes.only(
        "referral",
        "channel",
        "purpose",
        "status",
        "to_address",
        "sent_at",
        "created_at",
        "delivered_at",
        "delivery_receipt",
    ):
        what = note.get_channel_display()
        # Texts are told apart from emails for an API client too.
        kind = "sms" if note.channel == Channel.SMS else "email"
        if note.delivered_at is not None:
            # A delivery receipt (GOV.UK Notify): it arrived, not only left.
            items.append(
                TimelineItem(
                    at=note.delivered_at,
                    kind=f"{kind}_delivered",
                    title=f"{what} delivered",
                    summary=f"{note.get_purpose_display()} to {note.to_address}",
                )
            )
        elif note.status == DeliveryStatus.SENT:
            items.append(
                TimelineItem(
                    at=note.sent_at or note.created_at,
                    kind=f"{kind}_sent",
                    title=f"{what} sent",
                    summary=f"{note.get_purpose_display()} to {note.to_address}",
                )
            )
        elif note.bad_address:
            items.append(
                TimelineItem(
                    at=note.sent_at or note.created_at,
                    kind=f"{kind}_failed",
                    title=f"{what} not delivered",
                    summary=f"{note.get_purpose_display()} to {note.to_address}: the address "
                    "does not exist or cannot take messages",
                )
            )
        else:
            items.append(
                TimelineItem(
                    at=note.created_at,
                    kind=f"{kind}_failed",
                    title=f"{what} failed",
                    summary=f"{note.get_purpose_display()} to {note.to_address} could not be sent",
                )
            )
    return sorted(items, key=lambda item: item.at)


def escalations_for(referral: Referral, *, front_door: bool = True) -> list[Escalation]:
    """The referral's escalations; the referrer's side does not see that a
    proposed decision waited for sign-off (it is not a decision yet)."""
    escalations = referral.escalations.order_by("escalated_at", "level")
    if not front_door:
        escalations = escalations.exclude(rule=EscalationRule.SIGN_OFF_OVERDUE)
    return list(escalations)


def information_requests_for(referral: Referral, *, viewer: User) -> list[Any]:
    """Questions on a referral: all of them for the front door; for the
    referrer's side only the ones put to the referrer."""
    questions = referral.information_requests.select_related("asked_by", "answered_by", "to_agency")
    if not permissions_for(viewer, referral).front_door_staff:
        questions = questions.filter(to_agency__isnull=True)
    return list(questions)
