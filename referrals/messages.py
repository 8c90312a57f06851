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


NOBODY_ON_DUTY = (
    "Out of office hours nobody at the front door is on duty to receive it: it will be seen "
    "when the office opens. If a child is in danger now, call 999. For urgent help before "
    "then, phone the council's emergency duty team."
)


def receipt_body(referral: Referral, *, unattended: bool = False) -> str:
    """`unattended`: urgent, out of office hours, and the front door has no
    emergency duty team address, so nothing is promised that nobody will do."""
    # Why it is urgent stays in the portal: the reasons speak of the child.
    urgent = (
        "What you told us makes it urgent; Front Door shows why.\n\n"
        if referral.urgent_reasons
        else ""
    )
    promise = (
        f"{NOBODY_ON_DUTY}\n\n"
        if unattended
        else f"The front door will acknowledge it by {when(referral.acknowledge_by)} and decide "
        f"what happens next by {when(referral.decide_by)}. You will be told at each step.\n\n"
    )
    return (
        f"Your {referral.get_kind_display().lower()} {referral.reference} was received at "
        f"{when(referral.received_at)}.\n\n"
        + urgent
        + promise
        + f"Follow its progress: {referral_url(referral)}"
        + _footer()
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
    "transfer_unconfirmed": "transfer to another local authority not confirmed",
    "sign_off_overdue": "decision not signed off in time",
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


def challenge_body(
    referral: Referral,
    *,
    due_by: dt.datetime,
    child_at_risk_now: bool = False,
    to_seniors: bool = False,
) -> str:
    if child_at_risk_now:
        return (
            f"A referrer has challenged the decision on {referral.reference} and says a child "
            f"is at risk now. A senior manager must answer by {when(due_by)}: "
            f"{referral_url(referral)}" + _footer()
        )
    if to_seniors:
        return (
            f"A referrer has challenged the decision on {referral.reference} again, after it "
            f"stood. A senior manager must answer by {when(due_by)}: {referral_url(referral)}"
            + _footer()
        )
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


def police_page_url(referral: Referral | ReferralMention) -> str:
    """The officer's own page about the referral (they never see the front
    door's page)."""
    return settings.PORTAL_BASE_URL + referral_path("police-referral", referral.reference)


def police_told_subject(referral: Referral, *, urgent: bool) -> str:
    prefix = "URGENT: " if urgent else ""
    return f"{prefix}Front door referral {referral.reference}: the police need to acknowledge it"


def police_told_body(referral: Referral, *, reason: str, acknowledge_by: dt.datetime) -> str:
    return (
        f"The front door has told the police about referral {referral.reference} "
        f"({reason.lower()}).\n\n"
        f"An officer must acknowledge it in Front Door by {when(acknowledge_by)}: "
        f"{police_page_url(referral)}" + _footer()
    )


def police_escalation_subject(referral: Referral) -> str:
    return f"ESCALATED: no officer has acknowledged front door referral {referral.reference}"


def police_escalation_body(referral: Referral) -> str:
    return (
        f"The police were told about referral {referral.reference} and no officer has "
        "acknowledged it in time. The front-door managers have been told too.\n\n"
        f"Acknowledge it now: {police_page_url(referral)}" + _footer()
    )


def strategy_invitation_subject(referral: Referral) -> str:
    return f"Strategy discussion about front door referral {referral.reference}"


def strategy_invitation_body(referral: Referral, *, due_by: dt.datetime, link: str) -> str:
    return (
        f"The front door has decided to hold a strategy discussion about referral "
        f"{referral.reference}, and you are invited. It is due by {when(due_by)}; the front "
        "door will contact you with the time.\n\n"
        f"Sign in to see it: {link}" + _footer()
    )


def strategy_outcome_subject(referral: Referral) -> str:
    return f"Strategy discussion about {referral.reference}: the outcome is recorded"


def strategy_outcome_body(referral: Referral, *, link: str) -> str:
    return (
        f"The strategy discussion about referral {referral.reference} has been held and its "
        f"outcome and next steps recorded.\n\nSign in to see them: {link}" + _footer()
    )


def strategy_discussions_url() -> str:
    return settings.PORTAL_BASE_URL + reverse("strategy-discussions")


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


# Texts to the on-call phone: a reason, the reference and a link, never the
# child's details (a phone's lock screen shows them to anyone nearby).
TEXT_INJURED_BABY = "injury to a non-mobile baby"
TEXT_URGENT_OUT_OF_HOURS = "urgent referral out of hours"


def urgent_text(referral: Referral | ReferralMention, *, reason: str) -> str:
    return f"Front Door: {reason}, {referral.reference}. Open it now: {referral_url(referral)}"


def escalation_text(*, count: int, summary: str) -> str:
    what = "1 referral" if count == 1 else f"{count} referrals"
    return (
        f"Front Door: {what} escalated to you out of hours ({summary}). "
        f"Open: {settings.PORTAL_BASE_URL}{reverse('front-door-queue')}?escalated=1"
    )


def converted_subject(referral: Referral) -> str:
    return f"Consultation {referral.reference} is now a referral"


def converted_body(referral: Referral) -> str:
    return (
        f"The front door has turned your consultation {referral.reference} into a referral. "
        f"It keeps its reference and history. A decision is due by {when(referral.decide_by)}.\n\n"
        f"{referral_url(referral)}" + _footer()
    )


def transfer_in_subject(referral: Referral) -> str:
    urgent = "URGENT " if referral.urgency == "urgent" else ""
    return f"{urgent}{referral.get_kind_display()} {referral.reference} transferred to you"


def transfer_in_body(referral: Referral, *, from_front_door: str, at: dt.datetime) -> str:
    return (
        f"{from_front_door} transferred {referral.get_kind_display().lower()} "
        f"{referral.reference} to you at {when(at)}. It is now yours: its history came with it.\n\n"
        f"Acknowledge it by {when(referral.acknowledge_by)}: {referral_url(referral)}" + _footer()
    )


def transferred_subject(referral: Referral) -> str:
    return f"{referral.get_kind_display()} {referral.reference} transferred"


def transferred_body(referral: Referral, *, to: str, at: dt.datetime, on_portal: bool) -> str:
    if on_portal:
        next_step = (
            f"{to} will acknowledge it by {when(referral.acknowledge_by)} and decide what "
            f"happens next by {when(referral.decide_by)}. The reference stays the same."
        )
    else:
        next_step = (
            f"{to} is not on Front Door: it was sent to them directly, and the front door will "
            "record when they confirm they have it."
        )
    return (
        f"Your {referral.get_kind_display().lower()} {referral.reference} was transferred to "
        f"{to} at {when(at)}, the front door for the child's area.\n\n{next_step}\n\n"
        f"Follow its progress: {referral_url(referral)}" + _footer()
    )
