"""The partnership figures' date range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.forms import GovukDateField, GovukForm


class ReportForm(GovukForm):
    start = GovukDateField(
        label="From",
        noun="the start date",
        must_be_past=True,
        earliest=dt.date(2020, 1, 1),
        help_text="For example, 1 10 2026",
    )
    end = GovukDateField(
        label="To",
        noun="the end date",
        earliest=dt.date(2020, 1, 1),
        help_text="For example, 31 10 2026",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", "The end date must be the same as or after the start date")
            elif (data["end"] - data["start"]).days > 366 * 3:
                self.add_error("end", "Choose a period of 3 years or less")
        return data
