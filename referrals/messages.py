"""Wording of the emails about a referral.

Emails only *notify*: they carry the reference and a link, never the child's
name or the concern, because email leaves our control. The portal is the record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from referrals.models import ESCALATION_LEVEL_LABELS, Referral


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%-I:%M%p}".lower() + f" on {local:%A %-d %B %Y}"


def referral_url(referral: Referral) -> str:
    return settings.PORTAL_BASE_URL + reverse("referral-detail", args=[referral.reference])


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


def escalation_subject(referral: Referral, *, level: int) -> str:
    return f"Escalation: {referral.reference} not acknowledged in time"


def escalation_body(referral: Referral, *, level: int) -> str:
    audience = ESCALATION_LEVEL_LABELS.get(level, f"level {level}").lower()
    return (
        f"Nobody has acknowledged {referral.get_urgency_display().lower()} "
        f"{referral.get_kind_display().lower()} {referral.reference}. It was due to be "
        f"acknowledged by {when(referral.acknowledge_by)}.\n\n"
        f"It has been escalated to {audience}. Make sure someone owns it now: "
        f"{referral_url(referral)}" + _footer()
    )


def police_subject(referral: Referral) -> str:
    return f"URGENT: injury to a non-mobile baby - front door referral {referral.reference}"


def police_body(referral: Referral) -> str:
    return (
        f"The front door has received a referral ({referral.reference}) at "
        f"{when(referral.received_at)} about an injury to a baby who is not yet mobile.\n\n"
        f"A strategy discussion is due by {when(referral.strategy_discussion_by or referral.decide_by)}. "
        f"The front-door manager will contact you. Details are in Front Door: "
        f"{referral_url(referral)}" + _footer()
    )


def urgent_subject(referral: Referral) -> str:
    return f"URGENT: injury to a non-mobile baby - {referral.reference}"


def urgent_body(referral: Referral) -> str:
    return (
        f"{referral.reference} arrived at {when(referral.received_at)}: an injury to a baby who "
        f"is not yet mobile. Police have been notified. Acknowledge it by "
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
