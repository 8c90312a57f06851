"""The manager's sign-off of a proposed decision, shared by the page and the API."""

from __future__ import annotations

from typing import Any

from referrals.forms.content import SectionForm, long_text, radios

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
