"""The public page's questions: a few, in plain English, for someone who is
worried about a child and has no account (a relative, a neighbour, the
child themselves)."""

from __future__ import annotations

from typing import Any

from django import forms

from referrals.census import CensusSource
from referrals.forms.content import (
    SectionForm,
    clean_phone,
    clean_postcode,
    long_text,
    radios,
    text,
)

RELATIONSHIPS = [
    ("family", "I am a relative or carer of the child"),
    ("acquaintance", "I know the family, for example as a neighbour, friend or childminder"),
    ("self", "I am the child or young person"),
    ("other", "Someone else, or I would rather not say"),
]
# The census referral source for each answer (1D: "other (including strangers)").
CENSUS_BY_RELATIONSHIP = {
    "family": CensusSource.FAMILY,
    "acquaintance": CensusSource.ACQUAINTANCE,
    "self": CensusSource.SELF,
    "other": CensusSource.OTHER_INDIVIDUAL,
}
DANGER = [("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")]
WHAT_HAPPENED_MAX = 5_000


class PublicReportForm(SectionForm):
    relationship = radios(
        "How do you know the child?",
        RELATIONSHIPS,
        required_message="Select how you know the child",
    )
    child_name = text(
        "What is the child's name?",
        max_length=100,
        required_message="Enter the child's name, or 'Not known'",
        help_text="If you do not know it, write 'Not known'",
    )
    child_age = text(
        "How old are they? (optional)",
        max_length=40,
        help_text="Roughly is fine, for example 'about 6' or 'a baby'",
    )
    child_address = long_text(
        "Where does the child live?",
        required_message="Enter where the child lives, or 'Not known'",
        help_text="The address, or as much as you know, like the street or the area",
    )
    child_postcode = text("Postcode (optional)", max_length=10)
    what_happened = text(
        "What are you worried about?",
        max_length=WHAT_HAPPENED_MAX,
        required_message="Enter what you are worried about",
        help_text="Say what you saw or heard, and when. You do not need to be sure.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    danger_now = radios(
        "Is the child in danger right now?",
        DANGER,
        required_message="Select whether the child is in danger right now",
        hints={"yes": "Call 999 now if you have not already."},
    )
    your_name = text(
        "Your name (optional)",
        max_length=100,
        help_text="You can leave your name out. We will not tell the family who you are.",
    )
    your_phone = text("Your phone number (optional)", max_length=40)
    your_email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        max_length=254,
        help_text="We will email you a reference. The email will not name the child.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    # A field people never see (hidden by the stylesheet, and labelled to be
    # left empty for anyone whose screen reader finds it); form-filling
    # robots fill it in.
    website = forms.CharField(label="Leave this empty", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child_postcode"].widget.govuk_width = "10"
        self.fields["your_phone"].widget.govuk_width = "20"
        self.fields["your_phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["your_email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["your_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_child_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["child_postcode"])

    def clean_your_phone(self) -> str:
        value = self.cleaned_data["your_phone"]
        return clean_phone(value) if value.strip() else ""

    @property
    def is_robot(self) -> bool:
        return bool((self.data.get("website") or "").strip())
