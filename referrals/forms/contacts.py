"""The questions asked when the front door records a contact itself: a phone
call, an email, a letter or someone at the desk.

The contact page asks how it came in, when, and who it came from; the rest
are the portal's own question forms (referrals.forms.content), with "not
known" and "not asked" allowed where a caller cannot say.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from core.forms import GovukDateField
from referrals.census import CensusSource, page_choices
from referrals.forms.content import (
    NO,
    YES,
    ChildForm,
    ConcernForm,
    ConsentForm,
    SectionForm,
    clean_phone,
    long_text,
    radios,
    text,
)
from referrals.models import RECORDED_CHANNELS, Consent, SourceType, Urgency

# How long ago a contact may have come in and still be recorded as received
# then: a letter read after a long weekend and a bank holiday, or a phone
# message picked up late. Anything older is recorded as received today, with
# when it really came in said in what happened.
OLDEST_RECEIVED_DAYS = 14
NOT_ASKED = "Not asked"
TIME_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time(value: str) -> dt.time | None:
    """'14:05', '9.30', '2:05pm' as a time of day, or None."""
    match = TIME_RE.match(value or "")
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class ContactForm(SectionForm):
    channel = radios(
        "How did it reach the front door?",
        [(c.value, c.label) for c in RECORDED_CHANNELS],
        required_message="Select how it reached the front door",
    )
    received_on = GovukDateField(
        label="What date was it received?",
        noun="the date it was received",
        help_text="For example, 27 3 2026. For a letter, the date it arrived.",
    )
    received_time = text(
        "What time was it received?",
        max_length=10,
        required_message="Enter the time it was received, like 14:05",
        help_text="For example, 9:30 or 14:05. The front door's deadlines run from this time.",
    )
    source_type = radios(
        "Who did it come from?",
        SourceType.choices,
        required_message="Select who it came from",
    )
    source_name = text(
        "Their name",
        max_length=200,
        help_text="Leave blank if they would not give it",
    )
    source_organisation = text(
        "Their organisation or agency (professionals only)",
        help_text="For example, Riverside Medical Practice. Leave blank if not known.",
    )
    source_role = text(
        "Their role or relationship to the child",
        help_text="For example, GP, neighbour, grandmother",
    )
    source_phone = text("Phone number to reach them (optional)", max_length=40)
    source_email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        help_text="They will be sent a receipt with the reference: never the child's details.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    census_source = forms.ChoiceField(
        label="Referral source (Children in Need census)",
        choices=[("", "Select a source"), *page_choices()],
        required=False,
        help_text="For anonymous contacts, 9: ANONYMOUS is recorded whatever is selected.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_time"].widget.govuk_width = "5"
        self.fields["source_phone"].widget.govuk_width = "20"

    def clean_source_phone(self) -> str:
        value = self.cleaned_data["source_phone"]
        return clean_phone(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        received_on, time_text = data.get("received_on"), data.get("received_time")
        if time_text:
            at = parse_time(time_text)
            if at is None:
                self.add_error("received_time", "Enter a real time, like 9:30 or 14:05")
            elif received_on:
                received_at = timezone.make_aware(dt.datetime.combine(received_on, at))
                now = timezone.now()
                # A minute's grace for a clock behind the caller's.
                if received_at > now + dt.timedelta(minutes=1):
                    self.add_error("received_time", "The time it was received must be in the past")
                elif received_at < now - dt.timedelta(days=OLDEST_RECEIVED_DAYS):
                    self.add_error(
                        "received_on",
                        f"The date it was received must be within the last "
                        f"{OLDEST_RECEIVED_DAYS} days: for anything older, enter today and "
                        "say when it came in under what happened",
                    )
                else:
                    data["received_at"] = received_at
        source_type = data.get("source_type")
        if source_type == SourceType.ANONYMOUS:
            data["census_source"] = CensusSource.ANONYMOUS
            data["source_name"] = ""
        elif source_type and not data.get("census_source"):
            self.add_error(
                "census_source",
                "Select the referral source for the census, or 10: UNKNOWN",
            )
        if source_type == SourceType.PROFESSIONAL and not (data.get("source_name") or "").strip():
            self.add_error("source_name", "Enter the professional's name")
        return data


class ContactTypeForm(SectionForm):
    """A contact has no referral-or-consultation question: the front door
    decides what it is. Only how urgent it sounds."""

    urgency = radios(
        "How urgent is it?",
        Urgency.choices,
        required_message="Select how urgent it is",
        hints={
            Urgency.STANDARD: "Acknowledge today and decide next steps within one working day.",
            Urgency.URGENT: (
                "The child may suffer significant harm today: acknowledge within the hour, "
                "decide within four."
            ),
        },
    )


class ContactChildForm(ChildForm):
    date_of_birth_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].help_text = (
            "For example, 27 3 2024. Leave blank if the caller did not know: "
            "give their age in the address box or what happened."
        )


class ContactConcernForm(ConcernForm):
    childs_experience = long_text(
        "What is daily life like for the child? What have they said?",
        help_text="Leave blank if the caller was not asked or could not say.",
    )
    action_taken = long_text(
        "What has the caller done already?",
        help_text="Leave blank if not asked.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("childs_experience", "action_taken"):
            if name in data and not (data[name] or "").strip():
                data[name] = NOT_ASKED
        return data


class ContactConsentForm(ConsentForm):
    family_aware = radios(
        "Do the parents or carers know about this contact?",
        [(YES, "Yes"), (NO, "No, or not known")],
        required_message="Select whether the parents or carers know",
    )
    consent = radios(
        "Have they agreed to it?",
        [
            (Consent.GIVEN.value, "Yes"),
            (Consent.REFUSED.value, "No, they refused"),
            (Consent.NOT_SOUGHT.value, "The caller has not asked them"),
            (Consent.NOT_KNOWN.value, Consent.NOT_KNOWN.label),
        ],
        required_message="Select whether they have agreed, or 'Not known'",
    )
