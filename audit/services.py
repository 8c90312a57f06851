"""Writing audit events. Called inside the caller's transaction, so an audit row
exists exactly when the thing it records happened."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str = "",
    object_ref: str = "",
    via: str = "web",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=real_actor,
        actor_label=real_actor.get_username() if real_actor is not None else "",
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        via=via,
        ip_address=client_ip(request),
        detail=detail or {},
    )


def record_refusal(request: HttpRequest, *, object_type: str = "page", object_ref: str = "",
                   reason: str = "") -> None:
    """A refused page, API call or referral, with who and where. Never lets
    a failure to audit turn the refusal into a server error."""
    from audit.models import Action

    try:
        record_event(actor=getattr(request, "user", None), action=Action.REFUSED, object_type=object_type,
                     object_ref=(object_ref or request.path)[:64], request=request,
                     detail={"reason": reason} if reason else None)
    except Exception:  # noqa: BLE001 - the refusal must still be shown
        logging.getLogger(__name__).exception("Could not audit a refusal of %s", request.path)
