from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from agencies.models import Role
from agencies.selectors import get_access
from core.http import signed_in_with_two_factors


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation: only the pages this person can use."""
    user = getattr(request, "user", None)
    if user is None or not signed_in_with_two_factors(user):
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
    if access.can_acknowledge:
        items.append(("Record a contact", reverse("contact-start")))
    if access.can_see_dashboard:
        items.append(("Dashboard", reverse("manager-dashboard")))
    if access.can_see_reports:
        items.append(("Partnership figures", reverse("partnership-report")))
    if access.front_door_ids_with({Role.ADMINISTRATOR}):
        items.append(("Subject access", reverse("subject-access")))
        items.append(("Messages not delivered", reverse("undelivered-messages")))
    items.append(("Your account", reverse("account")))
    path = request.path
    nav = [{"label": label, "url": url, "active": path == url} for label, url in items]
    return {
        "nav_items": nav
        or [{"label": "Home", "url": reverse("home"), "active": path == reverse("home")}]
    }
