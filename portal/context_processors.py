from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from agencies.models import Role
from agencies.selectors import (
    front_door_contacts,
    front_doors_of,
    front_doors_without_duty_team,
    get_access,
)
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
            ("Strategy discussions", reverse("strategy-discussions")),
        ]
    if access.is_front_door_staff:
        items.append(("Front-door queue", reverse("front-door-queue")))
        items.append(("Search people", reverse("people-search")))
    if access.has_role(Role.POLICE_OFFICER):
        items.append(("Police referrals", reverse("police-referrals")))
    if access.can_see_dashboard:
        items.append(("Dashboard", reverse("manager-dashboard")))
    if access.front_door_ids_with({Role.MANAGER, Role.SENIOR_MANAGER}):
        items.append(("Decisions to check", reverse("decisions-to-check")))
        items.append(("Decision audits", reverse("decision-audits")))
    if access.can_see_reports:
        items.append(("Partnership figures", reverse("partnership-report")))
    if access.front_door_ids_with({Role.ADMINISTRATOR}):
        items.append(("Subject access", reverse("subject-access")))
        items.append(("Messages not delivered", reverse("undelivered-messages")))
    items.append(("Your account", reverse("account")))
    path = request.path
    nav = [{"label": label, "url": url, "active": path == url} for label, url in items]
    administered = access.front_door_ids_with({Role.ADMINISTRATOR})
    return {
        "nav_items": nav
        or [{"label": "Home", "url": reverse("home"), "active": path == reverse("home")}],
        # Flagged on every page to the front door's administrators until it
        # is fixed: urgent referrals out of hours reach nobody without it.
        "without_duty_team": (
            list(front_doors_without_duty_team(administered).values_list("name", flat=True))
            if administered
            else []
        ),
    }


def front_door_contact(request: HttpRequest) -> dict[str, Any]:
    """The front doors a signed-in person works in or sends to, with their
    numbers, for the foot of every page and the error pages. Read only when a
    page shows them, and once."""
    found: list[Any] = []

    def contacts() -> list[Any]:
        if not found:
            user = getattr(request, "user", None)
            if user is not None and signed_in_with_two_factors(user):
                ids = front_doors_of(get_access(user))
                found.append(front_door_contacts(ids) if ids else [])
            else:
                found.append([])
        return found[0]  # type: ignore[no-any-return]

    return {"front_door_contacts": contacts}
