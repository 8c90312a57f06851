"""What a referral contains, checked as a whole.

A referral arrives as a JSON document (the API's request body, or a draft the
web pages built up page by page). `validate_content` checks every section with
the same forms the pages use and returns either the cleaned content or a list
of problems, each with the path of the field ("children.0.nhs_number") and the
page to fix it on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms

from referrals.forms.contacts import (
    ContactChildForm,
    ContactConcernForm,
    ContactConsentForm,
    ContactForm,
    ContactTypeForm,
)
from referrals.forms.content import (
    NO,
    YES,
    AdultForm,
    AgencyForm,
    ChildForm,
    ConcernForm,
    ConsentForm,
    FatherForm,
    PreviousAreaForm,
    SectionForm,
    SenderForm,
    TypeForm,
)
from referrals.models import FATHER_FIGURES, Kind

_Form = TypeVar("_Form", bound=forms.Form)


@dataclass(frozen=True)
class Section:
    key: str  # where it lives in the document
    form: type[SectionForm]
    many: bool = False
    title: str = ""
    page: str = ""  # the URL name of the page that asks it
    min_items: int = 0
    max_items: int = 20


# Top-level fields (kind, urgency, father_not_recorded_reason) are flat in the
# document; the others are nested objects or lists of objects.
SECTIONS: tuple[Section, ...] = (
    Section("", TypeForm, title="Referral or consultation", page="type"),
    Section(
        "children",
        ChildForm,
        many=True,
        title="Children",
        page="children",
        min_items=1,
        max_items=12,
    ),
    Section("adults", AdultForm, many=True, title="Adults", page="adults", max_items=20),
    Section("", FatherForm, title="Father or male carer", page="adults"),
    Section(
        "other_agencies",
        AgencyForm,
        many=True,
        title="Other agencies involved",
        page="other-agencies",
        max_items=20,
    ),
    Section(
        "previous_areas",
        PreviousAreaForm,
        many=True,
        title="Previous areas",
        page="previous-areas",
        max_items=20,
    ),
    Section("concern", ConcernForm, title="The concern", page="concern"),
    Section("consent", ConsentForm, title="Consent and information sharing", page="consent"),
    Section("sender", SenderForm, title="How to reach you", page="you"),
)

# A contact the front door records itself: how it came in and who from
# instead of the sender's details, and the questions a caller may not be
# able to answer allow "not known" (referrals.forms.contacts).
CONTACT_SECTIONS: tuple[Section, ...] = (
    Section("contact", ContactForm, title="The contact", page="contact"),
    Section("", ContactTypeForm, title="How urgent it is", page="type"),
    Section(
        "children",
        ContactChildForm,
        many=True,
        title="Children",
        page="children",
        min_items=1,
        max_items=12,
    ),
    *(s for s in SECTIONS if s.page in {"adults", "other-agencies", "previous-areas"}),
    Section("concern", ContactConcernForm, title="The concern", page="concern"),
    Section("consent", ContactConsentForm, title="Consent and information sharing", page="consent"),
)
CONTACT_PAGE_ORDER = (
    "contact",
    "type",
    "children",
    "adults",
    "other-agencies",
    "previous-areas",
    "concern",
    "consent",
)
CONTACT_PAGE_TITLES = {
    "contact": "How it came in, and who from",
    "type": "How urgent it is",
    "children": "The children",
    "adults": "The adults around the children",
    "other-agencies": "Other agencies involved",
    "previous-areas": "Previous addresses and areas",
    "concern": "The concern",
    "consent": "Consent and information sharing",
}

# The question pages in the order a sender meets them.
PAGE_ORDER = (
    "type",
    "children",
    "adults",
    "other-agencies",
    "previous-areas",
    "concern",
    "consent",
    "you",
)
PAGE_TITLES = {
    "type": "Referral or consultation",
    "children": "The children",
    "adults": "The adults around the children",
    "other-agencies": "Other agencies involved",
    "previous-areas": "Previous addresses and areas",
    "concern": "Your concern",
    "consent": "Consent and information sharing",
    "you": "How the front door can reach you",
}


@dataclass
class Problem:
    path: str
    message: str
    page: str
    index: int | None = None


@dataclass
class Content:
    """Cleaned, valid content, ready for `submit_referral`."""

    kind: str
    urgency: str
    children: list[dict[str, Any]]
    adults: list[dict[str, Any]]
    father_not_recorded_reason: str
    other_agencies: list[dict[str, Any]]
    previous_areas: list[dict[str, Any]]
    concern: dict[str, Any]
    consent: dict[str, Any]
    sender: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    # Set for a contact the front door recorded: how it came in, when, and
    # who from (referrals.forms.contacts.ContactForm's cleaned answers).
    contact: dict[str, Any] | None = None

    @property
    def earliest_due_date(self) -> dt.date | None:
        dates = [
            c["expected_date_of_delivery"]
            for c in self.children
            if c.get("expected_date_of_delivery")
        ]
        return min(dates) if dates else None


def _json_ready(values: Any) -> Any:
    """Booleans become the yes/no answers the forms ask for; numbers become text."""
    if not isinstance(values, dict):
        return values
    ready: dict[str, Any] = {}
    for key, value in values.items():
        if value is True:
            ready[key] = YES
        elif value is False:
            ready[key] = NO
        elif isinstance(value, int | float):
            ready[key] = str(value)
        else:
            ready[key] = value
    return ready


def bind(form_class: type[_Form], values: Any) -> _Form:
    return form_class(data=_json_ready(values) if isinstance(values, dict) else {})


def _check_section(
    section: Section, values: Any, problems: list[Problem], index: int | None = None
) -> dict:
    if values is not None and not isinstance(values, dict):
        where = f"{section.key}.{index}" if index is not None else section.key or "body"
        problems.append(Problem(where, "Must be an object", section.page, index))
        return {}
    form = bind(section.form, values or {})
    if form.is_valid():
        return form.cleaned_data
    for name, errors in form.errors.items():
        prefix = section.key
        if index is not None:
            prefix = f"{prefix}.{index}"
        path = f"{prefix}.{name}" if prefix else name
        for message in errors:
            problems.append(Problem(path, str(message), section.page, index))
    return {}


def validate_content(
    document: Any, *, contact: bool = False
) -> tuple[Content | None, list[Problem]]:
    """Check a whole referral (or, with `contact`, a contact the front door
    is recording); return (content, []) or (None, problems)."""
    problems: list[Problem] = []
    if not isinstance(document, dict):
        return None, [Problem("body", "Send a JSON object", "contact" if contact else "type")]
    cleaned: dict[str, Any] = {}
    for section in CONTACT_SECTIONS if contact else SECTIONS:
        if section.many:
            items = document.get(section.key) or []
            if not isinstance(items, list):
                problems.append(Problem(section.key, "Must be a list", section.page))
                continue
            if len(items) < section.min_items:
                problems.append(
                    Problem(section.key, f"Add at least one {_singular(section)}", section.page)
                )
            if len(items) > section.max_items:
                problems.append(
                    Problem(section.key, f"Add no more than {section.max_items}", section.page)
                )
            cleaned[section.key] = [
                _check_section(section, item, problems, index) for index, item in enumerate(items)
            ]
        elif section.key:
            cleaned[section.key] = _check_section(section, document.get(section.key), problems)
        else:
            flat = {name: document.get(name) for name in section.form.base_fields}
            cleaned.update(_check_section(section, flat, problems))

    # The men around the child must be asked about ("The Myth of Invisible Men").
    def is_father_figure(adult: Any) -> bool:
        relationship = adult.get("relationship") if isinstance(adult, dict) else None
        return isinstance(relationship, str) and relationship in FATHER_FIGURES

    adults = document.get("adults")
    raw_adults = adults if isinstance(adults, list) else []
    has_father_figure = any(map(is_father_figure, cleaned.get("adults", []))) or any(
        map(is_father_figure, raw_adults)
    )
    if not has_father_figure and not str(cleaned.get("father_not_recorded_reason") or "").strip():
        problems.append(
            Problem(
                "father_not_recorded_reason",
                "Add the child's father or a male carer, or say why they are not known",
                "adults",
            )
        )
    if problems:
        return None, problems
    return Content(
        kind=Kind.CONTACT if contact else cleaned["kind"],
        urgency=cleaned["urgency"],
        children=cleaned["children"],
        adults=cleaned["adults"],
        father_not_recorded_reason=cleaned.get("father_not_recorded_reason", ""),
        other_agencies=cleaned["other_agencies"],
        previous_areas=cleaned["previous_areas"],
        concern=cleaned["concern"],
        consent=cleaned["consent"],
        sender=cleaned.get("sender", {}),
        contact=cleaned.get("contact") if contact else None,
    ), []


def _singular(section: Section) -> str:
    return {"children": "child"}.get(section.key, section.key.rstrip("s"))


# Words that hide what the sender means (Child S, question 6). A prompt, not a block.
VAGUE_WORDS = (
    "likely",
    "unlikely",
    "possibly",
    "possible",
    "probably",
    "probable",
    "may have",
    "might have",
    "appears",
    "appeared",
    "seems",
    "seemed",
    "perhaps",
    "maybe",
    "could be",
    "allegedly",
    "suspected",
)


def vague_words_in(*texts: str) -> list[str]:
    """The vague words used, in the order of the list above, each once."""
    import re

    found = []
    joined = " ".join(t for t in texts if t).lower()
    for word in VAGUE_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", joined):
            found.append(word)
    return found
