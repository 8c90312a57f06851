"""Who the sweep tells about what it escalated, in the claim's transaction:
one summary per front door to a step's managers, a reminder each to the
referrer's side, and the sending agencies' status webhooks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model

from agencies.models import ON_CALL_FOR_ROLE, Agency, WebhookEvent
from agencies.selectors import members_with_role, on_call_phones
from notifications.models import Notification, Purpose
from notifications.notify import sends_texts
from notifications.services import (
    Recipient,
    build_notifications,
    build_texts,
    recipients_for_users,
)
from notifications.webhooks import active_webhooks, webhook_notifications
from referrals import messages
from referrals.deadlines import rules_from_policy
from referrals.escalation.claim import Breach
from referrals.escalation.ladder import Step
from referrals.models import DeadlinePolicy, InformationRequest
from referrals.selectors.people import agency_contacts

# Who the step's managers are, by (front door, roles), looked up once a sweep.
People = dict[tuple[int, tuple[str, ...]], list[Recipient]]


def notices_for(
    step: Step, breaches: list[Breach], *, people: People, now: dt.datetime
) -> list[Notification]:
    """Every message a claimed batch owes, unsaved, for the outbox."""
    outbox = manager_summaries(step, breaches, people=people, now=now)
    outbox += on_call_texts(step, breaches, now=now)
    if step.tell_referrer:
        outbox += referrer_side_reminders(step, breaches, now=now)
    if step.tell_police_supervisor:
        outbox += police_supervisor_alerts(step, breaches, now=now)
    if step.is_about_referral:
        outbox += _status_webhooks(breaches, now=now)
    return outbox


def police_supervisor_alerts(
    step: Step, breaches: list[Breach], *, now: dt.datetime
) -> list[Notification]:
    """One email per referral to the supervisor inbox of the force that was
    told, with the reference and a link only."""
    inboxes = dict(
        Agency.objects.filter(
            pk__in={b.subject.police_id for b in breaches if b.subject is not None}
        ).values_list("pk", "supervisor_email")
    )
    outbox: list[Notification] = []
    for b in breaches:
        inbox = inboxes.get(b.subject.police_id) if b.subject is not None else None
        if not inbox:
            continue
        r = b.as_referral()
        outbox += build_notifications(
            purpose=Purpose.ESCALATION,
            recipients=[Recipient(address=inbox)],
            subject=messages.police_escalation_subject(r),
            body=messages.police_escalation_body(r),
            referral_id=r.pk,
            now=now,
        )
    return outbox


def manager_summaries(
    step: Step, breaches: list[Breach], *, people: People, now: dt.datetime
) -> list[Notification]:
    """One email to each of a front door's managers for the step's roles,
    listing the batch's referrals at that front door. The people are looked
    up once per front door and set of roles in the whole sweep."""
    by_front_door: dict[int, list[Breach]] = defaultdict(list)
    for b in breaches:
        by_front_door[b.front_door_id].append(b)
    outbox: list[Notification] = []
    for fd_id, listed in by_front_door.items():
        key = (fd_id, step.front_door_roles)
        if key not in people:
            people[key] = (
                recipients_for_users(
                    m.user for m in members_with_role(agency_id=fd_id, roles=step.front_door_roles)
                )
                if step.front_door_roles
                else []
            )
        if not people[key]:
            continue
        subject, body = messages.escalation_summary(
            listed[: messages.SUMMARY_LISTS],
            total=len(listed),
            rule=step.rule,
            summary=step.summary,
        )
        outbox += build_notifications(
            purpose=Purpose.ESCALATION,
            recipients=people[key],
            subject=subject,
            body=body,
            # A summary of one referral belongs on that referral's timeline.
            referral_id=listed[0].id if len(listed) == 1 else None,
            front_door_id=fd_id,
            now=now,
        )
    return outbox


def on_call_texts(step: Step, breaches: list[Breach], *, now: dt.datetime) -> list[Notification]:
    """Out of a front door's working hours, an escalation to its duty or
    senior managers is also texted to whoever is on call for that role
    (ON_CALL_FOR_ROLE), one text per phone per front door per sweep, in the
    claim's transaction: so each escalation is texted once."""
    on_call_roles = [ON_CALL_FOR_ROLE[r] for r in step.front_door_roles if r in ON_CALL_FOR_ROLE]
    if not on_call_roles or not sends_texts():
        return []
    by_front_door: dict[int, list[Breach]] = defaultdict(list)
    for b in breaches:
        by_front_door[b.front_door_id].append(b)
    policies = {
        p.front_door_id: p for p in DeadlinePolicy.objects.filter(front_door_id__in=by_front_door)
    }
    outbox: list[Notification] = []
    for fd_id, listed in by_front_door.items():
        if rules_from_policy(policies.get(fd_id)).calendar.is_working_time(now):
            continue
        outbox += build_texts(
            purpose=Purpose.ESCALATION,
            phones=on_call_phones(front_door_id=fd_id, roles=on_call_roles, at=now),
            text=messages.escalation_text(count=len(listed), summary=step.summary),
            referral_id=listed[0].id if len(listed) == 1 else None,
            front_door_id=fd_id,
            now=now,
        )
    return outbox


def referrer_side_reminders(
    step: Step, breaches: list[Breach], *, now: dt.datetime
) -> list[Notification]:
    """The referrer (or, for a question put to another agency, that agency)
    is reminded about their own referral, one email each."""
    senders = {
        u.pk: u for u in get_user_model().objects.filter(pk__in={b.sender_id for b in breaches})
    }
    agency_people: dict[int, list[Recipient]] = {}
    outbox: list[Notification] = []
    for b in breaches:
        subject, r = b.subject, b.as_referral()
        if step.model is InformationRequest and subject.to_agency_id:
            # A question to another agency reminds that agency, not the referrer.
            if subject.to_agency_id not in agency_people:
                agency_people[subject.to_agency_id] = recipients_for_users(
                    agency_contacts(subject.to_agency_id)
                )
            recipients = agency_people[subject.to_agency_id]
        else:
            recipients = recipients_for_users([senders[r.sender_id]])
        outbox += build_notifications(
            purpose=Purpose.ESCALATION,
            recipients=recipients,
            subject=messages.escalation_subject(r, rule=step.rule, level=step.level),
            body=messages.escalation_body(
                r, rule=step.rule, level=step.level, summary=step.summary
            ),
            referral_id=r.pk,
            now=now,
        )
    return outbox


def _status_webhooks(breaches: list[Breach], *, now: dt.datetime) -> list[Notification]:
    """`referral.escalated` to each sending agency's systems that want it."""
    hooks = active_webhooks({b.sending_agency_id for b in breaches})
    outbox: list[Notification] = []
    for b in breaches:
        if hooks[b.sending_agency_id]:
            outbox += webhook_notifications(
                referral=b.as_referral(),
                event=WebhookEvent.ESCALATED,
                now=now,
                hooks=hooks[b.sending_agency_id],
            )
    return outbox
