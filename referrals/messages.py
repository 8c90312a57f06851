"""Wording of the emails about a referral.

Emails only *notify*: they carry the reference and a link, never the child's
name or the concern, because email leaves our control. The portal is the record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.paths import referral_path
from referrals.models import Kind, Referral, Urgency


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%-I:%M%p}".lower() + f" on {local:%A %-d %B %Y}"


def referral_url(referral: Referral | ReferralMention) -> str:
    return settings.PORTAL_BASE_URL + referral_path("referral-detail", referral.reference)


def _footer() -> str:
    return (
        "\n\nThis email is a notification only. The record is in Front Door: sign in to see "
        "it.\nIf a child is in immediate danger, call 999."
    )


def receipt_subject(referral: Referral) -> str:
    return f"{referral.get_kind_display()} {referral.reference} received"


def receipt_body(referral: Referral) -> str:
    return (
        f"Your {referral.get_kind_display().lower()} {referral.reference} was received at "
        f"{when(referral.received_at)}.\n\n"
        f"The front door will acknowledge it by {when(referral.acknowledge_by)} and decide "
        f"what happens next by {when(referral.decide_by)}. You will be told at each step.\n\n"
        f"Follow its progress: {referral_url(referral)}" + _footer()
    )


CHANNEL_PHRASES = {
    "phone": "Your phone call to",
    "email": "Your email to",
    "letter": "Your letter to",
    "in_person": "What you told",
}


def contact_receipt_subject(referral: Referral) -> str:
    return f"Your contact with the front door: reference {referral.reference}"


def contact_receipt_body(referral: Referral, *, front_door_name: str, follow_up: str) -> str:
    """The receipt to the person a recorded contact came from. It names no
    child and says nothing of the concern: email leaves our control, and the
    address may not be theirs alone."""
    opening = CHANNEL_PHRASES.get(referral.channel, "Your contact with")
    how = f"email {follow_up}" if follow_up else "contact the front door"
    return (
        f"{opening} {front_door_name} was received at {when(referral.received_at)} "
        f"and recorded with the reference {referral.reference}.\n\n"
        "What happens next: a social worker will look at it and decide what needs to "
        f"happen by {when(referral.decide_by)}. They may contact you if they need to know "
        "more.\n\n"
        f"To add something or ask about it, {how} and give the reference "
        f"{referral.reference}.\n\n"
        "If a child is in immediate danger, call 999."
    )


def arrival_subject(referral: Referral) -> str:
    urgent = "URGENT " if referral.urgency == "urgent" else ""
    return f"{urgent}New {referral.get_kind_display().lower()} {referral.reference}"


def arrival_body(referral: Referral) -> str:
    return (
        f"A new {referral.get_urgency_display().lower()} {referral.get_kind_display().lower()} "
        f"({referral.reference}) arrived at {when(referral.received_at)}.\n\n"
        f"Acknowledge it by {when(referral.acknowledge_by)}: {referral_url(referral)}" + _footer()
    )


def acknowledged_subject(referral: Referral) -> str:
    return f"{referral.get_kind_display()} {referral.reference} acknowledged"


def acknowledged_body(referral: Referral, *, acknowledged_by: str) -> str:
    return (
        f"{acknowledged_by} at the front door acknowledged {referral.reference} at "
        f"{when(referral.acknowledged_at or timezone.now())}.\n\n"
        f"A decision on next steps is due by {when(referral.decide_by)}.\n\n"
        f"See it: {referral_url(referral)}" + _footer()
    )


ESCALATION_SUBJECTS = {
    "not_acknowledged": "not acknowledged in time",
    "not_decided": "no decision in time",
    "information_unanswered": "request for information not answered",
    "challenge_unresolved": "challenge not resolved in time",
}


class ReferralMention(Protocol):
    """What the escalation emails say of a referral: a Referral, or the
    sweep's plain row for one (it words thousands at a time)."""

    @property
    def reference(self) -> str: ...
    @property
    def urgency(self) -> str: ...
    @property
    def kind(self) -> str: ...


URGENCY_LABELS, KIND_LABELS = dict(Urgency.choices), dict(Kind.choices)


def escalation_subject(
    referral: ReferralMention, *, rule: str = "not_acknowledged", level: int = 1
) -> str:
    return f"Escalation: {referral.reference} {ESCALATION_SUBJECTS.get(rule, 'overdue')}"


def escalation_body(
    referral: ReferralMention, *, rule: str = "not_acknowledged", level: int = 1, summary: str = ""
) -> str:
    return (
        f"{URGENCY_LABELS[referral.urgency]} {KIND_LABELS[referral.kind].lower()} "
        f"{referral.reference}: {summary or ESCALATION_SUBJECTS.get(rule, 'overdue')}.\n\n"
        f"Make sure someone owns it now: {referral_url(referral)}" + _footer()
    )


# A summary lists this many referrals by reference; the rest are on the
# dashboard's list of escalated referrals, one link away.
SUMMARY_LISTS = 50


def escalation_summary(
    shown: Sequence[ReferralMention], *, total: int, rule: str, summary: str
) -> tuple[str, str]:
    """Subject and body of one email to a manager for every referral one
    sweep escalated at one step of one ladder (`shown`: the first of them,
    at most SUMMARY_LISTS; `total`: how many). At the close of the day many
    referrals breach at once, and after an outage thousands may: one email
    each would bury the ones that matter."""
    if total == 1:
        return escalation_subject(shown[0], rule=rule), escalation_body(
            shown[0], rule=rule, summary=summary
        )
    lines = [
        f"- {r.reference} ({URGENCY_LABELS[r.urgency].lower()} {KIND_LABELS[r.kind].lower()}): "
        f"{referral_url(r)}"
        for r in shown
    ]
    if total > len(shown):
        lines.append(
            f"- and {total - len(shown)} more: "
            f"{settings.PORTAL_BASE_URL}{reverse('front-door-queue')}?escalated=1"
        )
    subject = f"Escalation: {total} referrals {ESCALATION_SUBJECTS.get(rule, 'overdue')}"
    body = (
        f"{summary or ESCALATION_SUBJECTS.get(rule, 'overdue').capitalize()}: {total} "
        "referrals.\n\n"
        + "\n".join(lines)
        + "\n\nMake sure someone owns each of them now."
        + _footer()
    )
    return subject, body


def information_request_subject(referral: Referral) -> str:
    return f"The front door has a question about {referral.reference}"


def information_request_body(referral: Referral, *, due_by: dt.datetime) -> str:
    return (
        f"The front door needs more information about {referral.reference} to decide what "
        f"happens next. Please answer in Front Door by {when(due_by)}: {referral_url(referral)}"
        + _footer()
    )


def information_given_subject(referral: Referral) -> str:
    return f"Answer received on {referral.reference}"


def information_given_body(referral: Referral) -> str:
    return (
        f"The referrer has answered your question on {referral.reference}: {referral_url(referral)}"
        + _footer()
    )


def outcome_subject(referral: Referral) -> str:
    return f"Decision on {referral.reference}"


def outcome_body(referral: Referral) -> str:
    return (
        f"The front door has decided what happens next with {referral.reference}.\n\n"
        f"Sign in to see the decision, the reasons and the next steps. If you disagree, you "
        f"can challenge "
        f"the decision from the referral's page: {referral_url(referral)}" + _footer()
    )


def assigned_subject(referral: Referral) -> str:
    return f"{referral.reference} has been assigned to you"


def assigned_body(referral: Referral) -> str:
    return f"{referral.reference} is now yours: {referral_url(referral)}" + _footer()


def challenge_subject(referral: Referral) -> str:
    return f"Challenge to the decision on {referral.reference}"


def challenge_body(referral: Referral, *, due_by: dt.datetime) -> str:
    return (
        f"A referrer has challenged the decision on {referral.reference}. A front-door manager "
        f"must answer by {when(due_by)}, or it goes to senior managers: {referral_url(referral)}"
        + _footer()
    )


def challenge_answered_subject(referral: Referral) -> str:
    return f"Your challenge on {referral.reference} has been answered"


def challenge_answered_body(referral: Referral) -> str:
    return (
        f"Sign in to see the answer to your challenge on {referral.reference}: "
        f"{referral_url(referral)}" + _footer()
    )


# Emails say what to do and by when, never what the concern or the decision
# is: an inbox is not the place for a child's details (the portal is).


def police_subject(referral: Referral) -> str:
    return f"URGENT: front door referral {referral.reference} needs the police now"


def police_body(referral: Referral) -> str:
    return (
        f"The front door received a referral ({referral.reference}) at "
        f"{when(referral.received_at)} that the police must know about at once.\n\n"
        "A strategy discussion is due by "
        f"{when(referral.strategy_discussion_by or referral.decide_by)}. "
        f"The front-door manager will contact you. Details are in Front Door: "
        f"{referral_url(referral)}" + _footer()
    )


def urgent_subject(referral: Referral) -> str:
    return f"URGENT: {referral.reference} needs a manager now"


def urgent_body(referral: Referral) -> str:
    return (
        f"{referral.reference} arrived at {when(referral.received_at)} on the urgent pathway. "
        f"Police have been notified. Acknowledge it by "
        f"{when(referral.acknowledge_by)}; strategy discussion due by "
        f"{when(referral.strategy_discussion_by or referral.decide_by)}.\n\n"
        f"{referral_url(referral)}" + _footer()
    )


def converted_subject(referral: Referral) -> str:
    return f"Consultation {referral.reference} is now a referral"


def converted_body(referral: Referral) -> str:
    return (
        f"The front door has turned your consultation {referral.reference} into a referral. "
        f"It keeps its reference and history. A decision is due by {when(referral.decide_by)}.\n\n"
        f"{referral_url(referral)}" + _footer()
    )
