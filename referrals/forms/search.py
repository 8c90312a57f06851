"""The front door's search for people: one form for the page and the API, so
both give the same messages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError

from core.forms import GovukDateField
from referrals.forms.content import SectionForm, clean_nhs_number, clean_postcode, text

# The first half of a postcode (the outward code): "NB1", "SW1A".
OUTWARD_CODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


class PersonSearchForm(SectionForm):
    name = text(
        "Name",
        max_length=200,
        help_text="A child's or an adult's name, in any order. Spelling mistakes and "
        "nicknames are allowed for.",
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        noun="the date of birth",
        earliest=dt.date(1900, 1, 1),
        must_be_past=True,
        required=False,
        help_text="For example, 27 3 2024",
    )
    nhs_number = text("NHS number", max_length=20, help_text="10 digits, like 943 476 5919")
    postcode = text(
        "Postcode",
        max_length=10,
        help_text="A whole postcode, like NB1 4QT, or its first half, like NB1",
    )
    address = text("Address", max_length=200, help_text="Part of an address is enough")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["nhs_number"].widget.govuk_width = "10"
        self.fields["nhs_number"].widget.attrs.update({"autocomplete": "off"})
        self.fields["postcode"].widget.govuk_width = "10"
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off"})

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if name and not re.search(r"\w", name):
            raise ValidationError("Name must include at least one letter")
        return name

    def clean_nhs_number(self) -> str:
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        compact = re.sub(r"\s+", "", value).upper()
        if OUTWARD_CODE_RE.match(compact):
            return compact
        return clean_postcode(value)

    def clean_address(self) -> str:
        return " ".join(self.cleaned_data["address"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) for name in self.fields):
            raise ValidationError(
                "Enter a name, date of birth, NHS number, postcode or address to search for"
            )
        return cleaned
