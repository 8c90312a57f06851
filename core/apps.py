from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: what every app may use and which imports no app of
    ours (the working-day calendar, GOV.UK form helpers, paths, heartbeats)."""

    name = "core"
    verbose_name = "Front Door foundations"
