from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from core.forms import GovukDateField, GovukForm
from referrals.forms.content import clean_nhs_number


class SubjectAccessForm(GovukForm):
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=20,
        help_text="10 digits, like 943 476 5919. Leave blank to search by name and date of birth.",
    )
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = GovukDateField(
        label="Date of birth",
        noun="the date of birth",
        must_be_past=True,
        earliest=dt.date(1990, 1, 1),
        required=False,
        help_text="For example, 27 3 2019",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nhs_number"].widget.attrs.update(
            {"inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["nhs_number"].widget.govuk_width = "10"
        self.fields["first_name"].widget.govuk_width = "20"
        self.fields["last_name"].widget.govuk_width = "20"

    def clean_nhs_number(self) -> str:
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if not data.get("nhs_number"):
            if not data.get("first_name"):
                # A last name and a date of birth alone can be another family's child.
                self.add_error(
                    "first_name",
                    "Enter the child's NHS number, or their first name, last name "
                    "and date of birth",
                )
            if not data.get("last_name"):
                self.add_error(
                    "last_name",
                    "Enter the child's NHS number, or their last name and date of birth",
                )
            if not data.get("date_of_birth"):
                self.add_error(
                    "date_of_birth", "Enter the child's date of birth, or their NHS number"
                )
        return data
