"""Forms for the front door's actions and the referrer's replies. The pages
and the API both use them, so both give the same messages."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from core.forms import GovukDateField
from referrals.forms.content import YES_NO, SectionForm, checkboxes, long_text, radios
from referrals.models import ChallengeOutcome, Decision, StrategyOutcome


class DecisionForm(SectionForm):
    decision = radios(
        "What is the decision?",
        Decision.choices,
        required_message="Select a decision",
        hints={
            Decision.NO_FURTHER_ACTION: "Nothing more from children's social care. Say why in the "
            "reasons.",
            Decision.EARLY_HELP: "Support below the statutory threshold, led by another agency.",
            Decision.ASSESSMENT: "Assessment of a child in need, within 45 working days.",
            Decision.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm: social "
            "care, police and health meet.",
        },
    )
    reasons = long_text(
        "Reasons for the decision",
        required_message="Enter the reasons for the decision",
        help_text="The referrer sees these. Say what the decision rests on.",
    )
    next_steps = long_text("Next steps (optional)")
    next_steps_owner = forms.CharField(
        label="Who will do them (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Who will do them must be 200 characters or fewer"},
    )


class InformationRequestForm(SectionForm):
    to_agency = forms.ChoiceField(
        label="Who do you want to ask?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the referrer or a partner agency"},
    )
    question = long_text(
        "What do you need to know?",
        required_message="Enter your question",
        help_text="They answer in Front Door; the answer lands on this referral's history. "
        "Another agency sees only your question and who it is about.",
    )

    def __init__(self, *args: Any, agencies: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("referrer", "The referrer")] + [(str(a.pk), a.name) for a in agencies or []]
        to_agency = cast(forms.ChoiceField, self.fields["to_agency"])  # declared above
        to_agency.choices = choices
        to_agency.initial = "referrer"
        to_agency.choice_hints = {  # type: ignore[attr-defined]
            "referrer": "The person who sent it, or their agency's safeguarding lead."
        }


class InformationAnswerForm(SectionForm):
    answer = long_text("Your answer", required_message="Enter your answer")


class ChallengeForm(SectionForm):
    reasons = long_text(
        "Why do you disagree with the decision?",
        required_message="Enter why you disagree with the decision",
        help_text="Say what you know that the decision does not take into account. A front-door "
        "manager must answer.",
    )


class ChallengeAnswerForm(SectionForm):
    outcome = radios(
        "Does the decision stand?",
        ChallengeOutcome.choices,
        required_message="Select whether the decision stands",
    )
    response = long_text(
        "Your answer to the referrer", required_message="Enter your answer to the challenge"
    )


class PossibleCrimeForm(SectionForm):
    note = long_text(
        "What crime may have been committed?",
        required_message="Enter what crime may have been committed",
        help_text="The police see this on their own page, with what a strategy discussion "
        "needs. It is not sent by email.",
    )


class StrategyRecordForm(SectionForm):
    """What happened at a strategy discussion. `participants` are the
    discussion's invitees, offered as "who took part"."""

    held_on = GovukDateField(
        label="When was it held?",
        noun="the date the discussion was held",
        help_text="For example, 27 3 2026",
    )
    held_time = forms.CharField(
        label="What time did it start?",
        help_text="Use the 24-hour clock, for example 14:30",
        max_length=5,
        error_messages={
            "required": "Enter the time the discussion started, like 14:30",
            "max_length": "Enter the time the discussion started, like 14:30",
        },
    )
    took_part = checkboxes("Who took part?", [])
    outcome = radios(
        "What was the outcome?", StrategyOutcome.choices, required_message="Select the outcome"
    )
    next_steps = long_text("Next steps (optional)", help_text="Who does what, and by when.")
    conference_follows = radios(
        "Will an initial child protection conference follow?",
        YES_NO,
        required_message="Select whether an initial child protection conference will follow",
    )
    conference_date = GovukDateField(
        label="Date of the conference, if it is booked (optional)",
        noun="the date of the conference",
        required=False,
        help_text="It must be held within 15 working days of this discussion.",
    )

    def __init__(self, *args: Any, participants: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        took_part = cast(forms.MultipleChoiceField, self.fields["took_part"])  # declared above
        took_part.choices = [(str(p.pk), p.name) for p in participants or []]

    def clean_held_time(self) -> dt.time:
        value = self.cleaned_data["held_time"].strip().replace(".", ":")
        try:
            return dt.datetime.strptime(value, "%H:%M").time()
        except ValueError as exc:
            raise forms.ValidationError(
                "Enter the time the discussion started, like 14:30"
            ) from exc

    def held_at(self) -> dt.datetime:
        """The moment it was held, in the front door's local time."""
        local = dt.datetime.combine(self.cleaned_data["held_on"], self.cleaned_data["held_time"])
        return timezone.make_aware(local)


class ConferenceForm(SectionForm):
    held_on = GovukDateField(
        label="When was the initial child protection conference held?",
        noun="the date of the conference",
        help_text="For example, 27 3 2026",
    )
