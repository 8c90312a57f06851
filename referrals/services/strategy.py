"""The strategy discussion (section 47): opened by the decision, with the
people invited, then held and recorded, and the initial child protection
conference that may follow (Working Together: within 15 working days).

`open_strategy_discussion` is the one call made when the decision "strategy
discussion" becomes final (today: when it is recorded,
referrals.services.decision). It keeps the injured-baby pathway's deadline
(24 hours from receipt) where one was set, otherwise sets the front door's
default (`strategy_discussion_within_hours` from the decision), invites the
participants and tells the police, who must acknowledge
(referrals.services.police).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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
from referrals.deadlines import conference_due_by
from referrals.models import (
    AgencyType,
    EventKind,
    ParticipantKind,
    PoliceReason,
    Referral,
    StrategyDiscussion,
    StrategyOutcome,
    StrategyParticipant,
)
from referrals.selectors.access import permissions_for, require
from referrals.selectors.people import agency_contacts
from referrals.services.common import NotAllowedNow, add_event, front_door_rules, history_of
from referrals.services.police import police_force_for, tell_police

NEXT_STEPS_MAX = 10_000
# What an agency named on the referral is invited as, by its type there.
_KIND_OF_TYPE: dict[str, str] = {
    AgencyType.GP: ParticipantKind.GP,
    AgencyType.HEALTH_VISITOR: ParticipantKind.HEALTH_VISITOR,
    AgencyType.MIDWIFE: ParticipantKind.MIDWIFE,
}
_KIND_OF_AGENCY: dict[str, str] = {
    AgencyKind.GP_PRACTICE: ParticipantKind.GP,
    AgencyKind.HEALTH_VISITING: ParticipantKind.HEALTH_VISITOR,
    AgencyKind.MIDWIFERY: ParticipantKind.MIDWIFE,
}


@dataclass(frozen=True)
class Invitee:
    kind: str
    name: str
    agency: Agency | None = None
    user: User | None = None
    contact: str = ""


def default_invitees(referral: Referral) -> list[Invitee]:
    """Who is invited by default (Child BF finding 6: the GP always).

    1. The police partner: the front door's force on the portal, or its
       police inbox.
    2. The child's GP: the practice named for a child or among the agencies,
       matched to a GP practice on the portal by name; if none is recorded,
       a line saying so, so the front door finds out.
    3. The health visitor or midwife: the sending agency if it is one, and
       any named on the referral.
    4. The referrer.
    5. Every other agency named on the referral: on the portal if one of the
       front door's agencies has its name, otherwise with how to reach it.
    """
    front_door = referral.front_door
    on_portal = {
        a.name.casefold(): a
        for a in Agency.objects.filter(front_door_id=referral.front_door_id, is_active=True)
    }
    invitees: list[Invitee] = []
    seen: set[object] = set()

    def add(invitee: Invitee) -> None:
        key = (
            invitee.agency.pk if invitee.agency else ("name", invitee.kind, invitee.name.casefold())
        )
        if key not in seen:
            seen.add(key)
            invitees.append(invitee)

    force = police_force_for(referral.front_door_id)
    if force is not None:
        add(Invitee(ParticipantKind.POLICE, force.name, agency=force))
    else:
        add(
            Invitee(
                ParticipantKind.POLICE,
                "Police public protection unit",
                contact=f"Email {front_door.police_alert_email}"
                if front_door.police_alert_email
                else "No police inbox is set up: phone them",
            )
        )
    involved = list(referral.involved_agencies.all())
    sender_agency = referral.sending_agency
    sender_kind = _KIND_OF_AGENCY.get(sender_agency.kind)
    gps = [c.gp_practice.strip() for c in referral.children.all() if c.gp_practice.strip()]
    gps += [a.organisation for a in involved if a.agency_type == AgencyType.GP]
    if sender_kind == ParticipantKind.GP:
        add(Invitee(ParticipantKind.GP, sender_agency.name, agency=sender_agency))
    for name in gps:
        add(_named(ParticipantKind.GP, name, on_portal, involved))
    if not any(i.kind == ParticipantKind.GP for i in invitees):
        add(
            Invitee(
                ParticipantKind.GP,
                "The child's GP (not recorded on the referral)",
                contact="Not known: find out from the family or the child's health record",
            )
        )
    if sender_kind in (ParticipantKind.HEALTH_VISITOR, ParticipantKind.MIDWIFE):
        add(Invitee(sender_kind, sender_agency.name, agency=sender_agency))
    for a in involved:
        if a.agency_type in (AgencyType.HEALTH_VISITOR, AgencyType.MIDWIFE):
            add(_named(_KIND_OF_TYPE[a.agency_type], a.organisation, on_portal, involved))
    add(
        Invitee(
            ParticipantKind.REFERRER,
            f"{display_name(referral.sender)}, {sender_agency.name}",
            user=referral.sender,
        )
    )
    for a in involved:
        if a.agency_type not in (*_KIND_OF_TYPE, AgencyType.POLICE):
            add(_named(ParticipantKind.AGENCY, a.organisation, on_portal, involved))
    return invitees


def _named(kind: str, name: str, on_portal: dict[str, Agency], involved: list) -> Invitee:
    agency = on_portal.get(name.casefold())
    if agency is not None:
        return Invitee(kind, agency.name, agency=agency)
    details = next((a for a in involved if a.organisation.casefold() == name.casefold()), None)
    how = []
    if details is not None:
        if details.practitioner:
            how.append(details.practitioner)
        if details.phone:
            how.append(f"phone {details.phone}")
        if details.email:
            how.append(f"email {details.email}")
    return Invitee(
        kind,
        name,
        contact=", ".join(how) if how else "Not on the portal and no contact details: phone them",
    )


def open_strategy_discussion(
    *, referral: Referral, actor: User, now: dt.datetime
) -> list[Notification]:
    """In the caller's transaction: the discussion, its deadline, its
    invitees and the police told. Returns the emails for the caller to queue
    with its own. A second decision (after a challenge) keeps the first
    discussion."""
    rules = front_door_rules(referral)
    Referral.objects.filter(pk=referral.pk, strategy_discussion_by__isnull=True).update(
        strategy_discussion_by=now + dt.timedelta(hours=rules.strategy_discussion_within_hours)
    )
    referral.refresh_from_db(fields=["strategy_discussion_by", "police_notified_at"])
    outbox = tell_police(
        referral=referral, reason=PoliceReason.STRATEGY_DISCUSSION, now=now, actor=actor
    )
    if StrategyDiscussion.objects.filter(referral=referral).exists():
        return outbox
    due = referral.strategy_discussion_by
    if due is None:  # set when the decision was recorded
        raise RuntimeError(f"{referral.reference} has no strategy discussion deadline")
    discussion = StrategyDiscussion.objects.create(
        referral=referral, opened_at=now, opened_by=actor, due_by=due
    )
    invitees = default_invitees(referral)
    StrategyParticipant.objects.bulk_create(
        StrategyParticipant(
            discussion=discussion,
            position=i,
            kind=inv.kind,
            name=inv.name[:200],
            agency=inv.agency,
            user=inv.user,
            contact=inv.contact[:300],
        )
        for i, inv in enumerate(invitees)
    )
    add_event(
        referral,
        EventKind.STRATEGY_OPENED,
        actor,
        f"Strategy discussion to be held by {messages.when(due)}. Invited: "
        + "; ".join(inv.name for inv in invitees),
        now,
    )
    for recipients, link in _invited_people(referral, invitees, police=False):
        outbox += build_notifications(
            purpose=Purpose.STRATEGY,
            recipients=recipients,
            subject=messages.strategy_invitation_subject(referral),
            body=messages.strategy_invitation_body(referral, due_by=due, link=link),
            referral_id=referral.pk,
            now=now,
        )
    return outbox


def _invited_people(
    referral: Referral, invitees: Iterable[Invitee], *, police: bool
) -> list[tuple[list[Recipient], str]]:
    """Who to email on the portal, each with the page they can open: the
    referrer their referral, the police their page, other agencies their
    strategy discussions. The police hear of the invitation through
    `tell_police`; `police=True` includes them (for the outcome)."""
    out: list[tuple[list[Recipient], str]] = []
    for inv in invitees:
        if inv.user is not None:
            out.append((recipients_for_users([inv.user]), messages.referral_url(referral)))
        elif inv.agency is not None and inv.kind == ParticipantKind.POLICE:
            if police:
                people = [
                    m.user for m in members_with_role(agency_id=inv.agency.pk, roles=POLICE_ROLES)
                ]
                out.append((recipients_for_users(people), messages.police_page_url(referral)))
        elif inv.agency is not None and inv.agency.pk != referral.sending_agency_id:
            out.append(
                (
                    recipients_for_users(agency_contacts(inv.agency.pk)),
                    messages.strategy_discussions_url(),
                )
            )
    return [(r, link) for r, link in out if r]


def record_strategy_discussion(
    *,
    discussion: StrategyDiscussion,
    actor: User,
    held_at: dt.datetime,
    took_part: Iterable[int],
    outcome: str,
    next_steps: str,
    conference_follows: bool,
    conference_date: dt.date | None = None,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> StrategyDiscussion:
    """Record that the discussion was held: when, who took part, the outcome
    and next steps, and whether a conference follows (its deadline then runs
    and is escalated like the discussion's). Everyone invited on the portal
    is told the outcome is recorded."""
    referral = discussion.referral
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if held_at > now:
        errors["held_on"] = "The date the discussion was held must be today or in the past"
    elif held_at < discussion.opened_at - dt.timedelta(days=1):
        errors["held_on"] = "The date the discussion was held must be after it was decided on"
    if outcome not in StrategyOutcome.values:
        errors["outcome"] = "Select the outcome"
    if len(next_steps) > NEXT_STEPS_MAX:
        errors["next_steps"] = f"Next steps must be {NEXT_STEPS_MAX} characters or fewer"
    if conference_date is not None and conference_date < timezone.localtime(held_at).date():
        errors["conference_date"] = "The conference date must be on or after the discussion"
    if conference_date is not None and not conference_follows:
        errors["conference_date"] = "Say that a conference follows, or remove its date"
    if errors:
        raise ValidationError(errors)
    took = {int(pk) for pk in took_part}
    rules = front_door_rules(referral)
    with transaction.atomic():
        changed = StrategyDiscussion.objects.filter(pk=discussion.pk, is_open=True).update(
            is_open=False,
            held_at=held_at,
            recorded_at=now,
            recorded_by=actor,
            outcome=outcome,
            next_steps=next_steps.strip(),
            conference_follows=conference_follows,
            conference_date=conference_date,
            conference_due_by=conference_due_by(rules, held_at=held_at)
            if conference_follows
            else None,
            conference_open=conference_follows,
        )
        if not changed:
            raise NotAllowedNow(f"The strategy discussion about {referral.reference} is recorded")
        participants = list(discussion.participants.select_related("agency", "user"))
        for p in participants:
            p.took_part = p.pk in took
        StrategyParticipant.objects.bulk_update(participants, ["took_part"])
        discussion.refresh_from_db()
        history_of(StrategyDiscussion).bulk_history_create(
            [discussion],
            update=True,
            default_user=actor,
            default_change_reason="Held and recorded",
            default_date=now,
        )
        label = StrategyOutcome(outcome).label
        who = [p.name for p in participants if p.took_part]
        add_event(
            referral,
            EventKind.STRATEGY_HELD,
            actor,
            f"Strategy discussion held {messages.when(held_at)}: {label}. Took part: "
            + ("; ".join(who) if who else "nobody recorded"),
            now,
        )
        record_event(
            actor=actor,
            action=Action.STRATEGY_RECORDED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
            detail={"outcome": outcome, "conference_follows": conference_follows},
        )
        invitees = [Invitee(p.kind, p.name, agency=p.agency, user=p.user) for p in participants]
        outbox: list[Notification] = []
        for recipients, link in _invited_people(referral, invitees, police=True):
            outbox += build_notifications(
                purpose=Purpose.STRATEGY,
                recipients=recipients,
                subject=messages.strategy_outcome_subject(referral),
                body=messages.strategy_outcome_body(referral, link=link),
                referral_id=referral.pk,
                now=now,
            )
        queue_notifications(outbox)
    return discussion


def record_conference(
    *,
    discussion: StrategyDiscussion,
    actor: User,
    held_on: dt.date,
    origin: Origin = WEB,
    now: dt.datetime | None = None,
) -> StrategyDiscussion:
    """The initial child protection conference was held: its clock stops."""
    referral = discussion.referral
    require(
        permissions_for(actor, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    now = now or timezone.now()
    if held_on > timezone.localtime(now).date():
        raise ValidationError(
            {"held_on": "The date of the conference must be today or in the past"}
        )
    if discussion.held_at and held_on < timezone.localtime(discussion.held_at).date():
        raise ValidationError(
            {"held_on": "The date of the conference must be on or after the strategy discussion"}
        )
    with transaction.atomic():
        changed = StrategyDiscussion.objects.filter(pk=discussion.pk, conference_open=True).update(
            conference_open=False, conference_held_on=held_on
        )
        if not changed:
            raise NotAllowedNow(f"No conference is waiting to be recorded for {referral.reference}")
        discussion.refresh_from_db()
        history_of(StrategyDiscussion).bulk_history_create(
            [discussion],
            update=True,
            default_user=actor,
            default_change_reason="Conference held",
            default_date=now,
        )
        add_event(
            referral,
            EventKind.CONFERENCE_HELD,
            actor,
            f"Initial child protection conference held on {held_on:%-d %B %Y}",
            now,
        )
        record_event(
            actor=actor,
            action=Action.CONFERENCE_RECORDED,
            object_type="referral",
            object_ref=referral.reference,
            origin=origin,
        )
    return discussion
