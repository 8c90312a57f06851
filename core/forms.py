"""Form building blocks that speak GOV.UK: a day/month/year date field with the
Design System's error messages, and a base form that knows its error summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class DateInputWidget(forms.Widget):
    """Three boxes, day, month and year, named `<name>-day` and so on."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # A saved draft or an API body holds the date under its own name, as
        # "2024-03-27" or as the parts a person typed.
        if name in data:
            return data[name]
        return {part: (data.get(f"{name}-{part}") or "").strip() for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}-{part}" not in data for part in self.parts)


class GovukDateField(forms.Field):
    """A date typed as day, month and year, checked with GOV.UK wording."""

    widget = DateInputWidget

    def __init__(
        self,
        *,
        noun: str,
        must_be_past: bool = False,
        earliest: dt.date | None = None,
        window: tuple[int, int] | None = None,
        window_message: str = "",
        **kwargs: Any,
    ) -> None:
        self.noun = noun  # e.g. "the child's date of birth"
        self.must_be_past = must_be_past
        self.earliest = earliest
        # (days before today, days after today) the date must fall within.
        self.window = window
        self.window_message = window_message
        super().__init__(**kwargs)

    def _label(self) -> str:
        return self.noun[0].upper() + self.noun[1:]

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                raise ValidationError(
                    f"{self._label()} must be a real date, written like 2024-03-27", code="invalid"
                ) from exc
        if not isinstance(value, dict):
            if value is None:
                return None
            raise ValidationError(f"{self._label()} must be a real date", code="invalid")
        value = {part: str(value.get(part) or "").strip() for part in DateInputWidget.parts}
        if not any(value.values()):
            return None
        missing = [part for part in DateInputWidget.parts if not value.get(part)]
        if missing:
            raise ValidationError(
                f"{self._label()} must include a {' and a '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(value[p]) for p in DateInputWidget.parts)
        except ValueError as exc:
            raise ValidationError(f"{self._label()} must be a real date", code="invalid") from exc
        if year < 1000:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValidationError(f"{self._label()} must be a real date", code="invalid") from exc

    def validate(self, value: dt.date | None) -> None:
        if value is None:
            if self.required:
                raise ValidationError(f"Enter {self.noun}", code="required")
            return
        from django.utils import timezone

        today = timezone.localdate()
        if self.must_be_past and value > today:
            raise ValidationError(f"{self._label()} must be today or in the past", code="future")
        if self.earliest and value < self.earliest:
            raise ValidationError(
                f"{self._label()} must be after {self.earliest:%-d %B %Y}", code="too_early"
            )
        if self.window:
            before, after = self.window
            if not today - dt.timedelta(days=before) <= value <= today + dt.timedelta(days=after):
                raise ValidationError(self.window_message, code="out_of_range")


@dataclass(frozen=True)
class Reveal:
    """Questions that matter only after a given answer: shown under that
    answer's radios once it is chosen (with JavaScript), or always, under
    their own heading, without it."""

    field: str  # the radios that decide
    values: tuple[str, ...]  # the answers that show the questions
    fields: tuple[str, ...]  # the questions shown


class GovukForm(forms.Form):
    """Keeps fields in order for the error summary, which lists errors in the
    order the fields appear on the page."""

    reveals: tuple[Reveal, ...] = ()

    def clean(self) -> dict[str, Any]:
        # What Form.clean does; its type says it may return None, and the
        # forms built on this one add to what it returns.
        return self.cleaned_data

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs for the GOV.UK error summary."""
        # An ErrorList hands out each error as its message, a str.
        items = []
        for message in self.non_field_errors():
            items.append(("", str(message)))
        for name in self.fields:
            if name in self.errors:
                items.append((anchor_for(self[name]), str(self.errors[name][0])))
        return items


def anchor_for(bound_field: forms.BoundField) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, DateInputWidget):
        value = bound_field.value()
        # Link to the first box that is wrong, as the Design System asks.
        if isinstance(value, dict):
            for part in DateInputWidget.parts:
                if not value.get(part):
                    return f"{bound_field.auto_id}-{part}"
        return f"{bound_field.auto_id}-day"
    return bound_field.auto_id
