"""The questions a referral asks, one form per question page.

The same forms validate the web pages, saved drafts and the API (see
`referrals.content`), so a rule is written once and every route gives the
same message for it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import nhs_number
from django import forms
from django.core.exceptions import ValidationError

from core.forms import GovukDateField, GovukForm
from referrals.models import (
    SENDER_KINDS,
    AdultConcern,
    AgencyType,
    ConcernCategory,
    Consent,
    Kind,
    NoConsentBasis,
    PlanStatus,
    Relationship,
    Sex,
    Urgency,
)

YES, NO, NOT_KNOWN = "yes", "no", "not_known"
YES_NO = [(YES, "Yes"), (NO, "No")]
YES_NO_NOT_KNOWN = [(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")]
# What a partner agency chooses between (a contact is the front door's own).
SENDER_KIND_CHOICES = [(k.value, k.label) for k in SENDER_KINDS]

PHONE_RE = re.compile(r"^\+?[0-9 ()-]{10,20}$")
# The shape of a UK postcode (BS 7666), with or without the space.
POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9]|[ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) "
    "?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def clean_phone(value: str) -> str:
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError(
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
        )
    return value


def clean_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    if not compact:
        return ""
    if not POSTCODE_RE.match(compact):
        raise ValidationError("Enter a real postcode, like SW1A 2AA")
    return f"{compact[:-3]} {compact[-3:]}"


def clean_nhs_number(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value)
    if not compact:
        return ""
    # Only the digits 0 to 9: other scripts' digits pass str.isdigit() and
    # would be stored as typed, and never match a record.
    if not (compact.isascii() and compact.isdigit()) or len(compact) != 10:
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919")
    if not nhs_number.is_valid(compact):
        raise ValidationError("Enter a real NHS number: check the digits against the record")
    return f"{compact[:3]} {compact[3:6]} {compact[6:]}"


def text(
    label: str, *, required_message: str = "", max_length: int = 200, **kwargs: Any
) -> forms.CharField:
    short = label[0].upper() + label[1:]
    messages = {"max_length": f"{short} must be {max_length:,} characters or fewer"}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required_message),
        error_messages=messages,
        **kwargs,
    )


def long_text(label: str, *, required_message: str = "", **kwargs: Any) -> forms.CharField:
    return text(
        label,
        required_message=required_message,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        **kwargs,
    )


def radios(
    label: str, choices: Any, *, required_message: str, hints: dict | None = None, **kwargs: Any
) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": required_message,
        },
        **kwargs,
    )
    field.choice_hints = hints or {}  # type: ignore[attr-defined]
    return field


def checkboxes(
    label: str, choices: Any, *, required_message: str = "", **kwargs: Any
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=bool(required_message),
        error_messages={"required": required_message, "invalid_choice": "Select from the list"},
        **kwargs,
    )


class SectionForm(GovukForm):
    """A question page. `json_data()` gives back what was typed, as saved in a draft."""

    # Set by Django's BaseForm (its type stubs leave it out); a page shown
    # again with saved answers clears it.
    _errors: dict[str, Any] | None

    def json_data(self) -> dict[str, Any]:
        """What was typed, to keep in the draft even when it is not valid
        yet; an answer far longer than its question takes is cut a little
        past the limit, so the page can still say it is too long."""
        values = {}
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            limit = getattr(field, "max_length", None)
            if isinstance(value, str) and limit:
                value = value[: limit + 100]
            values[name] = value
        return values


class TypeForm(SectionForm):
    kind = radios(
        "Are you making a referral or asking for a consultation?",
        SENDER_KIND_CHOICES,
        required_message="Select whether you are making a referral or asking for a consultation",
        hints={
            Kind.REFERRAL: "You want children's social care to act on a concern about a child.",
            Kind.CONSULTATION: (
                "You want advice from a social worker about a concern, without referring the "
                "child yet. The front door can turn it into a referral later, keeping its history."
            ),
        },
    )
    urgency = radios(
        "How urgent is it?",
        Urgency.choices,
        required_message="Select how urgent it is",
        hints={
            Urgency.STANDARD: "The front door will acknowledge it today and decide next steps "
            "within one working day.",
            Urgency.URGENT: (
                "You think the child may suffer significant harm today. The front door will "
                "acknowledge it within the hour, day or night."
            ),
        },
    )


class ChildForm(SectionForm):
    first_name = text(
        "First name",
        required_message="Enter the child's first name, or 'Baby' if not yet named",
        max_length=100,
    )
    last_name = text("Last name", required_message="Enter the child's last name", max_length=100)
    born = radios(
        "Has the child been born?",
        YES_NO,
        required_message="Select whether the child has been born",
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        noun="the child's date of birth",
        must_be_past=True,
        earliest=dt.date(2000, 1, 1),
        required=False,
        help_text="For example, 27 3 2024",
    )
    expected_date_of_delivery = GovukDateField(
        label="Expected date of delivery",
        noun="the expected date of delivery",
        required=False,
        window=(31, 300),
        window_message="Expected date of delivery must be between a month ago and 10 months from "
        "now",
        help_text="For example, 14 6 2027",
    )
    sex = radios("Sex", Sex.choices, required_message="Select the child's sex, or 'Not known'")
    nhs_number = text(
        "NHS number (optional)", max_length=20, help_text="10 digits, like 943 476 5919"
    )
    address = long_text(
        "Address", required_message="Enter the child's address, or where they are staying"
    )
    postcode = text(
        "Postcode", max_length=10, help_text="Leave blank if they have no fixed address"
    )
    school_or_nursery = text("School or nursery (optional)")
    gp_practice = text("GP practice (optional)")
    first_language = text("First language (optional)", max_length=100)
    interpreter_needed = radios(
        "Does the family need an interpreter?",
        YES_NO_NOT_KNOWN,
        required_message="Select whether the family needs an interpreter",
    )
    disability = text("Any disability or additional needs (optional)", max_length=500)
    plan_status = radios(
        "Is the child known to have a plan or to be looked after?",
        PlanStatus.choices,
        required_message="Select whether the child has a plan or is looked after, or 'Not known'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nhs_number"].widget.attrs.update(
            {"inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["nhs_number"].widget.govuk_width = "10"
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off"})
        self.fields["postcode"].widget.govuk_width = "10"

    def clean_nhs_number(self) -> str:
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])

    # A caller may not know a child's date of birth; a referrer must give it.
    date_of_birth_required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            self.date_of_birth_required
            and data.get("born") == YES
            and not data.get("date_of_birth")
            and "date_of_birth" not in self.errors
        ):
            self.add_error("date_of_birth", "Enter the child's date of birth")
        if data.get("born") == NO:
            if (
                not data.get("expected_date_of_delivery")
                and "expected_date_of_delivery" not in self.errors
            ):
                self.add_error("expected_date_of_delivery", "Enter the expected date of delivery")
            data["date_of_birth"] = None
        elif data.get("born") == YES:
            data["expected_date_of_delivery"] = None
        return data


class AdultForm(SectionForm):
    first_name = text(
        "First name",
        required_message="Enter the adult's first name, or 'Not known'",
        max_length=100,
    )
    last_name = text(
        "Last name", required_message="Enter the adult's last name, or 'Not known'", max_length=100
    )
    relationship = radios(
        "Relationship to the child",
        Relationship.choices,
        required_message="Select the adult's relationship to the child",
    )
    date_of_birth = GovukDateField(
        label="Date of birth (optional)",
        noun="the adult's date of birth",
        must_be_past=True,
        earliest=dt.date(1900, 1, 1),
        required=False,
        help_text="For example, 4 11 1990",
    )
    address = long_text("Address (optional)", help_text="Leave blank if it is the child's address")
    lives_with_child = radios(
        "Does this adult live with the child?",
        YES_NO_NOT_KNOWN,
        required_message="Select whether this adult lives with the child",
    )
    parental_responsibility = radios(
        "Do they have parental responsibility?",
        YES_NO_NOT_KNOWN,
        required_message="Select whether they have parental responsibility",
    )
    known_concerns = checkboxes(
        "What is known about them?",
        AdultConcern.choices,
        help_text="Select all that apply",
    )
    notes = long_text("Anything else the front door should know about them (optional)")


class FatherForm(SectionForm):
    father_not_recorded_reason = long_text(
        "Why is the child's father or a male carer not recorded?",
        help_text=(
            "Reviews keep finding fathers and men around a child left out. If you know "
            "nothing about him, say so and why, for example 'mother would not say who he is'."
        ),
    )


class AgencyForm(SectionForm):
    agency_type = radios(
        "Type of agency", AgencyType.choices, required_message="Select the type of agency"
    )
    organisation = text("Organisation", required_message="Enter the name of the organisation")
    practitioner = text("Practitioner's name (optional)")
    phone = text("Phone (optional)", max_length=40)
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return clean_phone(value) if value.strip() else ""


class PreviousAreaForm(SectionForm):
    address = long_text("Previous address", required_message="Enter the previous address")
    local_authority = text(
        "Local authority", required_message="Enter the local authority, or 'Not known'"
    )
    when = text(
        "When did they live there? (optional)",
        max_length=100,
        help_text="For example, 'until March 2025' or '2023 to 2024'",
    )


class ConcernForm(SectionForm):
    categories = checkboxes(
        "What kind of concern is it?",
        ConcernCategory.choices,
        required_message="Select at least one kind of concern",
        help_text="Select all that apply",
    )
    what_happened = long_text(
        "What happened?",
        required_message="Enter what happened",
        help_text=(
            "Say what you saw or were told, by whom, and what you think it means. "
            "Say exactly what you mean: avoid words like 'likely' or 'possibly'."
        ),
    )
    when_happened = text(
        "When did it happen?",
        required_message="Enter when it happened, or 'Not known'",
        help_text="For example, 'this morning at 9am' or 'over the last 3 weeks'",
    )
    childs_experience = long_text(
        "What is daily life like for the child? What have they said?",
        required_message="Enter what life is like for the child, and what they have said",
        help_text="If the child is too young to speak, describe what you saw of them.",
    )
    action_taken = long_text(
        "What have you done already?",
        required_message="Enter what you have done already",
        help_text="For example, 'spoke to mother', 'told my safeguarding lead'",
    )
    immediate_risk = radios(
        "Is the child at risk of harm right now?",
        YES_NO,
        required_message="Select whether the child is at risk of harm right now",
        hints={YES: "Call 999 first if they are in immediate danger. Then send this."},
    )


class ConsentForm(SectionForm):
    family_aware = radios(
        "Do the parents or carers know you are making this referral?",
        YES_NO,
        required_message="Select whether the parents or carers know",
    )
    consent = radios(
        "Have they agreed to it?",
        [(c.value, c.label) for c in Consent if c != Consent.NOT_KNOWN],
        required_message="Select whether they have agreed",
    )
    no_consent_basis = radios(
        "Why are you sharing this without their agreement?",
        NoConsentBasis.choices,
        required_message="Select why you are sharing this without their agreement",
        required=False,
    )
    no_consent_reason = long_text(
        "Explain your decision (only if they have not agreed)",
        help_text="Sharing without consent is lawful when it protects a child. Record why.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("consent") == Consent.NOT_KNOWN:
            # Only a contact's form offers it: the caller could not say, so
            # there is no decision of theirs to explain.
            pass
        elif data.get("consent") and data["consent"] != Consent.GIVEN:
            if not data.get("no_consent_basis") and "no_consent_basis" not in self.errors:
                self.add_error(
                    "no_consent_basis", "Select why you are sharing this without their agreement"
                )
            if (
                not (data.get("no_consent_reason") or "").strip()
                and "no_consent_reason" not in self.errors
            ):
                self.add_error(
                    "no_consent_reason", "Explain why you are sharing this without their agreement"
                )
        elif data.get("consent") == Consent.GIVEN:
            data["no_consent_basis"] = ""
            data["no_consent_reason"] = ""
        return data


class SenderForm(SectionForm):
    phone = text(
        "Phone number the front door can reach you on today",
        max_length=40,
        required_message="Enter a phone number the front door can reach you on today",
    )
    availability = text(
        "When can they reach you today? (optional)",
        max_length=200,
        help_text="For example, 'until 4pm, then my colleague on the same number'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["phone"].widget.govuk_width = "20"

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])
