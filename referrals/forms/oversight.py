"""The manager's sign-off of a proposed decision, shared by the page and the API."""

from __future__ import annotations

from typing import Any

from django import forms

from referrals.forms.content import SectionForm, long_text, radios
from referrals.models import Finding

ENDORSE = "endorse"
SEND_BACK = "send_back"


class SignOffForm(SectionForm):
    outcome = radios(
        "Do you endorse this decision?",
        [(ENDORSE, "Yes, endorse it"), (SEND_BACK, "No, send it back for a new decision")],
        required_message="Select whether you endorse the decision or send it back",
        hints={
            ENDORSE: "It becomes the decision, and the referrer is sent the outcome and reasons.",
            SEND_BACK: "The practitioner decides again. The referrer is not told.",
        },
    )
    reasons = long_text(
        "Your reasons",
        help_text="Needed when you send it back: say what the decision misses. Front-door staff "
        "see them; the referrer does not.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("outcome") == SEND_BACK and not cleaned.get("reasons", "").strip():
            self.add_error("reasons", "Enter why you are sending the decision back")
        return cleaned


class DrawSampleForm(SectionForm):
    size = forms.IntegerField(
        label="How many decisions do you want to audit?",
        min_value=1,
        max_value=50,
        initial=10,
        help_text="Chosen at random from last month's decisions.",
        error_messages={
            "required": "Enter how many decisions to audit",
            "invalid": "Enter how many decisions to audit as a number, like 10",
            "min_value": "Enter a number of decisions from 1 to 50",
            "max_value": "Enter a number of decisions from 1 to 50",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )


class FindingForm(SectionForm):
    finding = radios("What is your finding?", Finding.choices, required_message="Select a finding")
    notes = long_text(
        "Notes",
        help_text="Needed unless the finding is good: what fell short, and what should happen now.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        finding = cleaned.get("finding")
        if finding and finding != Finding.GOOD and not cleaned.get("notes", "").strip():
            self.add_error("notes", "Enter what fell short")
        return cleaned
