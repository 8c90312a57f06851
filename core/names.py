"""How a person is named on pages, in emails and in the API."""

from __future__ import annotations

from typing import Any


def display_name(user: Any) -> str:
    """Their full name, or their username when no name is recorded."""
    return str(user.get_full_name() or user.get_username())
