"""The referral form. Its cleaned data becomes a `Submission`, the same object
the API builds, so both go through `submit_referral` with one set of rules."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import GovukDateField, GovukForm
from referrals.models import Kind, Urgency
from referrals.services import Submission

PHONE_RE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


def clean_phone(value: str) -> str:
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError(
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
        )
    return value


class ReferralForm(GovukForm):
    kind = forms.ChoiceField(
        label="Are you making a referral or asking for a consultation?",
        choices=Kind.choices,
        error_messages={"required": "Select whether you are making a referral or asking for a consultation"},
        widget=forms.RadioSelect,
    )
    kind.choice_hints = {  # type: ignore[attr-defined]
        Kind.REFERRAL: "You want children's social care to act on a concern about a child.",
        Kind.CONSULTATION: (
            "You want advice from a social worker about a concern, without referring the "
            "child yet. You can make a referral later, and the front door can turn this into one."
        ),
    }
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        error_messages={"required": "Select how urgent it is"},
        widget=forms.RadioSelect,
    )
    urgency.choice_hints = {  # type: ignore[attr-defined]
        Urgency.STANDARD: "The front door will acknowledge it today and decide next steps within one working day.",
        Urgency.URGENT: (
            "You think the child may suffer significant harm today. The front door will "
            "acknowledge it within the hour. If a child is in immediate danger, call 999 first."
        ),
    }
    child_first_name = forms.CharField(
        label="Child's first name",
        max_length=100,
        error_messages={
            "required": "Enter the child's first name",
            "max_length": "Child's first name must be 100 characters or fewer",
        },
    )
    child_last_name = forms.CharField(
        label="Child's last name",
        max_length=100,
        error_messages={
            "required": "Enter the child's last name",
            "max_length": "Child's last name must be 100 characters or fewer",
        },
    )
    child_date_of_birth = GovukDateField(
        label="Child's date of birth",
        noun="the child's date of birth",
        must_be_past=True,
        earliest=dt.date(1990, 1, 1),
        required=False,
        help_text="For example, 27 3 2024. Leave it blank if you do not know it.",
    )
    concern_summary = forms.CharField(
        label="What are you worried about?",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "Say what happened and when, what you saw or were told, and by whom. "
            "Say what you mean: avoid words like 'likely' or 'possibly'."
        ),
        error_messages={
            "required": "Enter what you are worried about",
            "max_length": "What you are worried about must be 10,000 characters or fewer",
        },
    )
    sender_phone = forms.CharField(
        label="Phone number the front door can reach you on today",
        max_length=40,
        error_messages={
            "required": "Enter a phone number the front door can reach you on today",
            "max_length": "Phone number must be 40 characters or fewer",
        },
    )
    sender_phone.widget.attrs.update({"autocomplete": "tel"})
    sender_phone.widget.govuk_width = "20"  # type: ignore[attr-defined]

    def clean_child_first_name(self) -> str:
        return self.cleaned_data["child_first_name"].strip()

    def clean_child_last_name(self) -> str:
        return self.cleaned_data["child_last_name"].strip()

    def clean_concern_summary(self) -> str:
        value = self.cleaned_data["concern_summary"].strip()
        if len(value) < 10:
            raise ValidationError("Tell us more about what you are worried about")
        return value

    def clean_sender_phone(self) -> str:
        return clean_phone(self.cleaned_data["sender_phone"])

    def submission(self) -> Submission:
        data = self.cleaned_data
        return Submission(
            kind=data["kind"],
            urgency=data["urgency"],
            child_first_name=data["child_first_name"],
            child_last_name=data["child_last_name"],
            child_date_of_birth=data["child_date_of_birth"],
            concern_summary=data["concern_summary"],
            sender_phone=data["sender_phone"],
        )
