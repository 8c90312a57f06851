"""Forms for the front door's actions and the referrer's replies. The pages
and the API both use them, so both give the same messages."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from referrals.forms.content import SectionForm, long_text, radios
from referrals.models import ChallengeOutcome, Decision

# "Information only" closes a contact as it is recorded
# (referrals.services.contacts), not a decision on a referral.
DECISION_CHOICES = [(d.value, d.label) for d in Decision if d != Decision.INFORMATION_ONLY]


class DecisionForm(SectionForm):
    decision = radios(
        "What is the decision?",
        DECISION_CHOICES,
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
