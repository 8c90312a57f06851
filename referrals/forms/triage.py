"""Forms for the front door's actions and the referrer's replies. The pages
and the API both use them, so both give the same messages."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from core.forms import GovukDateField
from referrals.forms.content import YES, YES_NO, SectionForm, checkboxes, long_text, radios
from referrals.models import ChallengeOutcome, Decision, StrategyOutcome, TransferMethod


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
    child_at_risk_now = radios(
        "Is a child at risk of harm now?",
        YES_NO,
        required_message="Select whether a child is at risk of harm now",
        # Not answering is "no", as challenges were before the question.
        required=False,
        help_text="If you do not answer, the challenge goes to a front-door manager first.",
        hints={
            YES: "It goes straight to a senior manager, who must answer within hours, day or "
            "night. Call 999 first if a child is in immediate danger."
        },
    )

    def clean_child_at_risk_now(self) -> bool:
        return self.cleaned_data.get("child_at_risk_now") == YES


class ChallengeAnswerForm(SectionForm):
    outcome = radios(
        "Does the decision stand?",
        ChallengeOutcome.choices,
        required_message="Select whether the decision stands",
    )
    response = long_text(
        "Your answer to the referrer", required_message="Enter your answer to the challenge"
    )


ELSEWHERE = "elsewhere"


class TransferForm(SectionForm):
    """Where a referral goes when it belongs to another area. The choices are
    the other front doors on this service, and a local authority elsewhere."""

    to_front_door = forms.ChoiceField(
        label="Where should this referral go?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the referral should go",
            "invalid_choice": "Select where the referral should go",
        },
    )
    to_authority = forms.CharField(
        label="Which local authority?",
        max_length=200,
        required=False,
        error_messages={"max_length": "The local authority must be 200 characters or fewer"},
    )
    method = forms.ChoiceField(
        label="How did you send it?",
        choices=[c for c in TransferMethod.choices if c[0] != TransferMethod.PORTAL],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select how you sent it"},
    )
    sent_to = forms.CharField(
        label="Who did you send it to?",
        help_text="The team, the person and the address or number, so it can be traced.",
        max_length=300,
        required=False,
        error_messages={"max_length": "Who you sent it to must be 300 characters or fewer"},
    )
    reason = long_text(
        "Why are you transferring it?",
        required_message="Enter why you are transferring the referral",
        help_text="For example: the family moved to Southport on 1 December. The receiving "
        "front door sees this; the referrer is told where it went, not why.",
    )

    def __init__(self, *args: Any, front_doors: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["to_front_door"])  # declared above
        field.choices = [(str(d.pk), d.name) for d in front_doors or []] + [
            (ELSEWHERE, "A local authority that is not on Front Door")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to_front_door") == ELSEWHERE:
            if not (data.get("to_authority") or "").strip():
                self.add_error("to_authority", "Enter the local authority you sent it to")
            if not data.get("method"):
                self.add_error("method", "Select how you sent it")
            if not (data.get("sent_to") or "").strip():
                self.add_error("sent_to", "Enter who you sent it to")
        return data


class TransferConfirmationForm(SectionForm):
    confirmation = long_text(
        "Who confirmed they have it, and how?",
        required_message="Enter who confirmed they have the referral, and how",
        help_text="For example: Duty manager J. Patel, by secure email at 3:10pm.",
    )


class AreaCheckForm(SectionForm):
    """What the front door asked another local authority about a previous
    area, and what came back."""

    asked_on = GovukDateField(
        label="When did you ask?",
        noun="the date you asked",
        must_be_past=True,
        earliest=dt.date(2000, 1, 1),
        help_text="For example, 27 11 2026",
    )
    answer = long_text(
        "What came back (optional)",
        help_text="Leave blank while you wait. Say who answered, and what they know.",
    )
    answered_on = GovukDateField(
        label="When did the answer come? (optional)",
        noun="the date the answer came",
        must_be_past=True,
        earliest=dt.date(2000, 1, 1),
        required=False,
        help_text="For example, 28 11 2026",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        asked, answered = data.get("asked_on"), data.get("answered_on")
        if data.get("answer") and not answered and "answered_on" not in self.errors:
            self.add_error("answered_on", "Enter the date the answer came")
        if answered and not data.get("answer"):
            self.add_error("answer", "Enter what came back, or leave the date blank")
        if asked and answered and answered < asked:
            self.add_error(
                "answered_on", "The date the answer came must be the same as or after you asked"
            )
        return data


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
