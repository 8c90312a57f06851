"""What signed-in pages need to know about the session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.middleware import RESUME_KEY
from core.http import signed_in_with_two_factors


def session_timeout(request: HttpRequest) -> dict[str, Any]:
    """For signed-in pages: when to warn about the time-out, and any typed
    work that arrived after a time-out, offered back on the page it was
    typed on, to the person who typed it."""
    user = getattr(request, "user", None)
    if user is None or not signed_in_with_two_factors(user):
        return {}
    context: dict[str, Any] = {
        "session_timeout": {
            "seconds": settings.SESSION_IDLE_TIMEOUT,
            "warning": settings.SESSION_TIMEOUT_WARNING,
        }
    }
    # Offered once, on the first page after signing in again (the page it was
    # typed on), and only to the person who typed it; otherwise dropped.
    stash = request.session.pop(RESUME_KEY, None) if request.method == "GET" else None
    if stash and stash.get("user_id") == user.pk and stash.get("path") == request.path:
        context["resume_fields"] = [
            (name, value) for name, values in stash.get("data", []) for value in values
        ]
    return context
