"""Signed webhooks: build them in the change's transaction, sign and send them
from the outbox, and check a signature (for receivers, and our tests).

Signature header:  X-Front-Door-Signature: t=<unix seconds>,v1=<hex>
where v1 = HMAC-SHA256(secret, f"{t}.{body}"). A receiver should recompute it
and refuse anything older than five minutes (the replay window).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from notifications.models import Channel, Notification, Purpose

SIGNATURE_HEADER = "X-Front-Door-Signature"
REPLAY_WINDOW_SECONDS = 300


def refuse_private(url: str) -> None:
    """Before each delivery: the name must still resolve to public addresses
    only, so that a registered endpoint cannot be pointed (by DNS) at the
    database, the broker or the cloud's metadata service from our side of the
    firewall. Loopback HTTP stays allowed where local testing allows it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443)}
    except OSError as exc:
        raise OSError(f"cannot resolve {host}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_global:
            continue
        if ip.is_loopback and parts.scheme == "http" and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
            continue
        raise OSError(f"{host} resolves to a private address; not delivering")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = REPLAY_WINDOW_SECONDS,
) -> bool:
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(
        sign(secret, body, timestamp), f"t={timestamp},v1={fields.get('v1', '')}"
    )


def active_webhooks(agency_ids: set[int]) -> dict[int, list[Any]]:
    """Active webhooks of several agencies in one query (for batches)."""
    from agencies.models import Webhook

    hooks: dict[int, list[Any]] = {agency_id: [] for agency_id in agency_ids}
    for hook in Webhook.objects.filter(agency_id__in=agency_ids, is_active=True):
        hooks[hook.agency_id].append(hook)
    return hooks


def webhook_notifications(
    *, referral: Any, event: str, now: dt.datetime, hooks: list[Any] | None = None
) -> list[Notification]:
    """Unsaved outbox rows for the sending agency's webhooks that want `event`."""
    if hooks is None:
        hooks = active_webhooks({referral.sending_agency_id})[referral.sending_agency_id]
    hooks = [h for h in hooks if h.wants(event)]
    if not hooks:
        return []
    payload = json.dumps(
        {
            "event": event,
            "reference": referral.reference,
            "status": referral.status,
            "occurred_at": now.isoformat(),
            "url": settings.PORTAL_BASE_URL
            + reverse("api-referral-detail", args=[referral.reference]),
        },
        separators=(",", ":"),
    )
    return [
        Notification(
            channel=Channel.WEBHOOK,
            purpose=Purpose.WEBHOOK,
            referral_id=referral.pk,
            webhook=hook,
            to_address=hook.url,
            subject=event,
            body=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in hooks
    ]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        raise urllib.error.HTTPError(
            req.full_url, code, f"redirect to {newurl} refused", headers, fp
        )


_OPENER = urllib.request.build_opener(_NoRedirects)


def deliver(notification: Notification) -> None:
    """POST the signed body; anything but a 2xx is a failure to retry."""
    body = notification.body.encode()
    refuse_private(notification.to_address)
    request = urllib.request.Request(  # noqa: S310 - URL checked by check_url when registered
        notification.to_address,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "FrontDoor-Webhooks/1",
            "X-Front-Door-Message-Id": str(notification.idempotency_key),
            "X-Front-Door-Event": notification.subject,
            SIGNATURE_HEADER: sign(notification.webhook.secret, body, int(time.time())),
        },
    )
    # https, or http to loopback where allowed: checked by check_url and refuse_private.
    # Redirects are not followed: one would take the request past those checks.
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}") from None
