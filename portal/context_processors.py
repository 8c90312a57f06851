from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from agencies.models import Role
from agencies.selectors import get_access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation: only the pages this person can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"nav_items": []}
    access = get_access(user)
    items: list[tuple[str, str]] = []
    if access.can_send:
        items += [
            ("Send a referral", reverse("referral-start")),
            ("Your referrals", reverse("referral-sent")),
            ("Questions for your agency", reverse("agency-questions")),
        ]
    if access.is_front_door_staff:
        items.append(("Front-door queue", reverse("front-door-queue")))
    if access.can_see_dashboard:
        items.append(("Dashboard", reverse("manager-dashboard")))
    if access.can_see_reports:
        items.append(("Partnership figures", reverse("partnership-report")))
    if access.front_door_ids_with({Role.ADMINISTRATOR}):
        items.append(("Subject access", reverse("subject-access")))
    items.append(("Your account", reverse("account")))
    path = request.path
    nav = [
        {"label": label, "url": url, "active": path == url} for label, url in items
    ]
    return {"nav_items": nav or [{"label": "Home", "url": reverse("home"), "active": path == reverse("home")}]}


def session_timeout(request: HttpRequest) -> dict[str, Any]:
    """For signed-in pages: when to warn about the time-out, and any typed
    work that arrived after a time-out, offered back on the page it was
    typed on, to the person who typed it."""
    from portal.middleware import RESUME_KEY

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
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
