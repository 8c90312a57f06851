"""Recording a contact the front door received itself: a phone call, an
email, a letter or someone at the desk, from a professional, a member of the
public or someone who would not give their name (Rapid Review A2: referrals
sent by email had "no record of them arriving or being seen").

A contact gets a reference, deadlines from when it was *received* (not when
it was typed), the same pathways as a portal referral and, where the person
gave an email address, a receipt. It can be closed at once as information
only: it is still counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.names import display_name
from notifications.models import Notification, Purpose
from notifications.services import Recipient, build_notifications
from referrals import messages
from referrals.census import CensusSource
from referrals.content import Content
from referrals.escalation.clock import stop_clocks
from referrals.forms.public import CENSUS_BY_RELATIONSHIP, RELATIONSHIPS
from referrals.models import (
    RECORDED_CHANNELS,
    Channel,
    Consent,
    Decision,
    Draft,
    EventKind,
    Kind,
    Referral,
    SourceType,
    Status,
    Urgency,
)
from referrals.selectors.access import front_door_recording_for
from referrals.services.common import add_event, record_history
from referrals.services.submit import DraftAlreadySent, store_submission

SOURCE_PHRASES = {
    SourceType.PROFESSIONAL: "a professional",
    SourceType.PUBLIC: "a member of the public",
    SourceType.ANONYMOUS: "someone who did not give their name",
}


def record_contact(
    *,
    recorder: User,
    content: Content,
    close_as_information_only: bool = False,
    closing_reasons: str = "",
    origin: Origin = WEB,
    now: dt.datetime | None = None,
    draft: Draft | None = None,
) -> Referral:
    """Record a contact at the recorder's front door.

    1. Check the recorder may record contacts, and the contact's details
       (how it came in, when, who from) are there: `content.contact`, from
       referrals.forms.contacts.ContactForm.
    2. In one transaction (referrals.services.submit.store_submission): the
       contact with its deadlines from the time it was received, its parts,
       pathways (an injured non-mobile baby tells the police and managers at
       once), timeline, audit and a receipt to the person's email, if given.
    3. Closed as information only: acknowledged and decided by the recorder
       in the same transaction, so nothing escalates, and counted as a
       contact closed as information only.
    """
    front_door_id = front_door_recording_for(recorder)
    if front_door_id is None:
        raise PermissionDenied("Only front-door practitioners and managers can record contacts")
    details = content.contact
    if content.kind != Kind.CONTACT or not details:
        raise ValueError("Not a contact: record it with referrals.forms.contacts")
    if details["channel"] not in RECORDED_CHANNELS:
        raise ValueError("Unknown channel")
    recorded_at = now or timezone.now()
    received_at: dt.datetime = details["received_at"]
    if received_at > recorded_at + dt.timedelta(minutes=1):
        # The form says so first; this guards every other caller.
        raise ValueError("A contact cannot be received in the future")
    if close_as_information_only and not closing_reasons.strip():
        raise ValueError("Say why it is closed as information only")
    source_type = details["source_type"]
    census_source = (
        CensusSource.ANONYMOUS
        if source_type == SourceType.ANONYMOUS
        else details.get("census_source") or CensusSource.UNKNOWN
    )
    source_email = "" if source_type == SourceType.ANONYMOUS else details.get("source_email", "")

    with transaction.atomic():
        if draft is not None and not Draft.objects.filter(pk=draft.pk, author=recorder).delete()[0]:
            raise DraftAlreadySent()
        front_door = Agency.objects.get(pk=front_door_id)
        who = SOURCE_PHRASES[SourceType(source_type)]
        if details.get("source_organisation"):
            who += f" ({details['source_organisation']})"
        referral = store_submission(
            sender=recorder,
            content=content,
            front_door_id=front_door_id,
            # Recorded by the front door: it is its own sending agency, and
            # the person it came from is in the source_* columns.
            sending_agency_id=front_door_id,
            received_at=received_at,
            origin=origin,
            summary=f"Contact received by {Channel(details['channel']).label.lower()} from "
            f"{who}; recorded by {display_name(recorder)}",
            fields={
                "channel": details["channel"],
                "census_source": census_source,
                "source_type": source_type,
                "source_name": details.get("source_name", ""),
                "source_organisation": details.get("source_organisation", ""),
                "source_role": details.get("source_role", ""),
                "source_phone": details.get("source_phone", ""),
                "source_email": source_email,
                "sender_phone": details.get("source_phone", ""),
                "recorded_at": recorded_at,
            },
            receipt=lambda referral: _receipt(referral, front_door, source_email, recorded_at),
            # The front door is the one recording it: no alert to itself.
            alert_front_door=False,
        )
        if close_as_information_only:
            _close_as_information(referral, recorder, closing_reasons, recorded_at, origin)
    return referral


def _receipt(
    referral: Referral, front_door: Agency, address: str, now: dt.datetime
) -> list[Notification]:
    if not address:
        return []
    return build_notifications(
        purpose=Purpose.RECEIPT,
        recipients=[Recipient(address=address)],
        subject=messages.contact_receipt_subject(referral),
        body=messages.contact_receipt_body(
            referral, front_door_name=front_door.name, follow_up=front_door.alert_email
        ),
        referral_id=referral.pk,
        now=now,
    )


def _close_as_information(
    referral: Referral, recorder: User, reasons: str, now: dt.datetime, origin: Origin
) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.DECIDED,
        acknowledged_at=now,
        acknowledged_by=recorder,
        decision=Decision.INFORMATION_ONLY,
        decision_reasons=reasons.strip(),
        decided_at=now,
        decided_by=recorder,
        updated_at=now,
    )
    stop_clocks(referral.pk, acknowledgement=True, decision=True)
    record_history(referral, recorder, "Closed as information only", now)
    add_event(
        referral,
        EventKind.CLOSED_AS_INFORMATION,
        recorder,
        f"Closed as information only by {display_name(recorder)}",
        now,
    )
    record_event(
        actor=recorder,
        action=Action.DECIDED,
        object_type="referral",
        object_ref=referral.reference,
        origin=origin,
        detail={"decision": Decision.INFORMATION_ONLY},
    )


# Stands in as the sender of reports made on the public page: a referral has
# a sender, and nobody signs in there. It can never sign in (inactive, no
# usable password) and belongs to no agency, so it sees nothing.
PUBLIC_REPORTER_USERNAME = "public-report-page"


def public_reporter() -> User:
    user, created = User.objects.get_or_create(
        username=PUBLIC_REPORTER_USERNAME,
        defaults={"is_active": False, "first_name": "Report a concern", "last_name": "page"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def public_front_door() -> Agency | None:
    """Where public reports land: PUBLIC_REPORTS_FRONT_DOOR, or the only
    active front door. None if that cannot be said (the page then tells the
    person to phone instead of failing)."""
    doors = Agency.objects.filter(kind=AgencyKind.FRONT_DOOR, is_active=True)
    if settings.PUBLIC_REPORTS_FRONT_DOOR:
        return doors.filter(name=settings.PUBLIC_REPORTS_FRONT_DOOR).first()
    only = list(doors[:2])
    return only[0] if len(only) == 1 else None


def record_public_report(
    *,
    answers: dict[str, Any],
    front_door: Agency,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> Referral:
    """A report from the public page, as a contact at `front_door`.

    `answers` are referrals.forms.public.PublicReportForm's cleaned data. It
    is received the moment it arrives; the questions a member of the public
    is not asked are recorded as not asked, for the worker to find out.
    """
    received_at = now or timezone.now()
    named = bool(answers.get("your_name", "").strip())
    reachable = bool(answers.get("your_phone") or answers.get("your_email"))
    anonymous = not named and not reachable
    census = (
        CensusSource.ANONYMOUS
        if anonymous
        else CENSUS_BY_RELATIONSHIP.get(answers["relationship"], CensusSource.UNKNOWN)
    )
    what = answers["what_happened"].strip()
    if answers.get("child_age", "").strip():
        what += f"\n\nThe child's age, as the person gave it: {answers['child_age'].strip()}"
    name = answers["child_name"].strip()
    first, _, last = name.partition(" ")
    content = Content(
        kind=Kind.CONTACT,
        urgency=Urgency.URGENT if answers["danger_now"] == "yes" else Urgency.STANDARD,
        children=[
            {
                "first_name": first or name,
                "last_name": last or NOT_KNOWN_TEXT,
                "born": "yes",
                "date_of_birth": None,
                "expected_date_of_delivery": None,
                "sex": "not_known",
                "nhs_number": "",
                "address": answers["child_address"].strip(),
                "postcode": answers.get("child_postcode", ""),
                "interpreter_needed": "not_known",
                "plan_status": "not_known",
            }
        ],
        adults=[],
        father_not_recorded_reason="Not asked: reported on the public page",
        other_agencies=[],
        previous_areas=[],
        concern={
            "categories": ["other"],
            "what_happened": what,
            "when_happened": "Not asked",
            "childs_experience": "Not asked",
            "action_taken": "Not asked",
            "immediate_risk": "yes" if answers["danger_now"] == "yes" else "no",
        },
        consent={"family_aware": "no", "consent": Consent.NOT_KNOWN},
        sender={},
    )
    relationship = dict(RELATIONSHIPS).get(answers["relationship"], "")
    email = answers.get("your_email", "")
    with transaction.atomic():
        return store_submission(
            sender=public_reporter(),
            content=content,
            front_door_id=front_door.pk,
            sending_agency_id=front_door.pk,
            received_at=received_at,
            origin=origin,
            summary="Contact received on the public page from "
            + ("someone who did not give their name" if anonymous else "a member of the public"),
            fields={
                "channel": Channel.PUBLIC_FORM,
                "census_source": census,
                "source_type": SourceType.ANONYMOUS if anonymous else SourceType.PUBLIC,
                "source_name": answers.get("your_name", "").strip(),
                "source_role": relationship,
                "source_phone": answers.get("your_phone", ""),
                "source_email": email,
                "recorded_at": received_at,
            },
            receipt=lambda referral: _receipt(referral, front_door, email, received_at),
            # Nobody at the front door has seen it yet: tell them.
            alert_front_door=True,
        )


NOT_KNOWN_TEXT = "Not known"
