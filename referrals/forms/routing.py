"""The sender's choice of front door for a child whose postcode decides nothing."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from referrals.forms.content import SectionForm, radios

OWN = "own"


class FrontDoorChoiceForm(SectionForm):
    front_door = radios(
        "Which front door should this referral go to?",
        [],
        required_message="Select the front door to send it to",
        help_text="Children whose postcode a front door covers go to that front door whatever "
        "you choose. This is for a child with no fixed address, no postcode, or a postcode no "
        "front door on Front Door covers: choose the area the child is in now.",
    )

    def __init__(self, *args: Any, own: Any = None, others: list[Any] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        field = cast(forms.ChoiceField, self.fields["front_door"])  # declared above
        field.choices = [(OWN, f"{own.name} (your agency's front door)")] + [
            (str(door.pk), door.name) for door in others or []
        ]
