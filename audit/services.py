"""Writing audit events. Called inside the caller's transaction, so an audit row
exists exactly when the thing it records happened."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils import timezone

from audit.models import Action, AuditEvent
from core.network import client_address
from core.throttling import count_failure


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as our own proxies saw it (core.network)."""
    if request is None:
        return None
    return client_address(request)


@dataclass(frozen=True)
class Origin:
    """Where an action came from, as the audit records it: the channel (web,
    api, task or command) and the client's address. Services take this, not
    the HTTP request, so a page, the API, a task and a command call them alike."""

    via: str = "web"
    ip_address: str | None = None

    @classmethod
    def of(cls, request: HttpRequest | None, *, via: str = "web") -> Origin:
        return cls(via=via, ip_address=client_ip(request))


WEB = Origin()
TASK = Origin(via="task")
COMMAND = Origin(via="command")


def record_event(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str = "",
    object_ref: str = "",
    origin: Origin = WEB,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    real_actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=real_actor,
        actor_label=real_actor.get_username() if real_actor is not None else "",
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        via=origin.via,
        ip_address=origin.ip_address,
        detail=detail or {},
    )


def record_refusal(
    request: HttpRequest, *, object_type: str = "page", object_ref: str = "", reason: str = ""
) -> None:
    """A refused page, API call or referral, with who and where. Never lets
    a failure to audit turn the refusal into a server error."""
    try:
        record_event(
            actor=getattr(request, "user", None),
            action=Action.REFUSED,
            object_type=object_type,
            object_ref=(object_ref or request.path)[:64],
            origin=Origin.of(request),
            detail={"reason": reason} if reason else None,
        )
    except Exception:  # noqa: BLE001 - the refusal must still be shown
        logging.getLogger(__name__).exception("Could not audit a refusal of %s", request.path)


def record_repeated_refusal(
    request: HttpRequest,
    *,
    object_type: str,
    object_ref: str = "",
    reason: str = "",
    action: str = Action.REFUSED,
) -> None:
    """A refusal that anyone can cause without signing in (a wrong API key, a
    made-up username), folded so that a flood cannot fill the append-only
    audit: from one address in one minute, the 1st, 10th, 100th... are
    recorded, each with the count so far."""
    count = count_failure(client_address(request))
    if str(count).rstrip("0") != "1":  # 1, 10, 100, ...
        return
    try:
        record_event(
            actor=None,
            action=action,
            object_type=object_type,
            object_ref=object_ref[:64],
            origin=Origin.of(request, via="api" if request.path.startswith("/api/") else "web"),
            detail={"reason": reason, "from_this_address_this_minute": count},
        )
    except Exception:  # noqa: BLE001 - the refusal must still be answered
        logging.getLogger(__name__).exception("Could not audit a refusal of %s", request.path)
