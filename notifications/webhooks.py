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
import http.client
import ipaddress
import json
import socket
import ssl
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from agencies.models import Role, Webhook
from agencies.selectors import members_with_role
from agencies.webhooks import is_public, loopback_allowed
from audit.models import Action
from audit.services import TASK, record_event
from notifications.deadline import current_deadline
from notifications.models import Channel, Circuit, DeliveryStatus, Notification, Purpose
from notifications.services import (
    build_notifications,
    queue_notifications,
    recipients_for_users,
    retry_until,
)

SIGNATURE_HEADER = "X-Front-Door-Signature"
REPLAY_WINDOW_SECONDS = 300


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
    rows = []
    for hook in hooks:
        # The message id is in the signed body as well as in a header, so a
        # receiver that drops repeats by it can trust it.
        message_id = uuid.uuid4()
        payload = json.dumps(
            {
                "id": str(message_id),
                "event": event,
                "reference": referral.reference,
                "status": referral.status,
                "occurred_at": now.isoformat(),
                "url": settings.PORTAL_BASE_URL
                + reverse("api-referral-detail", args=[referral.reference]),
            },
            separators=(",", ":"),
        )
        rows.append(
            Notification(
                idempotency_key=message_id,
                channel=Channel.WEBHOOK,
                purpose=Purpose.WEBHOOK,
                referral_id=referral.pk,
                webhook=hook,
                to_address=hook.url,
                subject=event,
                body=payload,
                next_attempt_at=now,
                created_at=now,
                retry_until=retry_until(Purpose.WEBHOOK, from_time=now),
            )
        )
    return rows


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name
    resolves to a moment later (DNS rebinding)."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, *, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and name checked against the host named in the URL.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def checked_address(url: str) -> tuple[str, int]:
    """Resolve the endpoint's name now and judge every address it gives
    (agencies.webhooks): one address to connect to, or OSError."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    deadline = current_deadline()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryRefused("the endpoint's name does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses or not all(
        is_public(address) or loopback_allowed(parts.scheme, address) for address in addresses
    ):
        raise DeliveryRefused("the endpoint's address is not a public one; not delivering")
    if deadline is not None and deadline.expired:
        raise DeliveryRefused("no time left to deliver")
    return str(addresses[0]), port


class DeliveryRefused(OSError):
    """We would not deliver there (see agencies.webhooks)."""


# What an agency is shown of a failure: whether an answer came, and its
# status; never which network error, which would tell an open port from a
# closed one on somebody's network.
NO_ANSWER = "No answer from the endpoint"
MAX_RESPONSE_BYTES = 64 * 1024


def deliver(notification: Notification) -> None:
    """POST the signed body to the checked address, within the delivery's
    deadline; anything but a 2xx is a failure to retry. Redirects are not
    followed: one would take the request past the address checks."""
    body = notification.body.encode()
    url = notification.to_address
    parts = urlsplit(url)
    address, port = checked_address(url)
    deadline = current_deadline()
    timeout = (
        deadline.timeout(settings.WEBHOOK_TIMEOUT_SECONDS)
        if deadline
        else (settings.WEBHOOK_TIMEOUT_SECONDS)
    )
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname or "", address, port, timeout=timeout)
    if deadline is not None:
        deadline.watch(connection)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    webhook = notification.webhook
    if webhook is None:
        raise DeliveryRefused("the endpoint has been removed")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "FrontDoor-Webhooks/1",
                "X-Front-Door-Message-Id": str(notification.idempotency_key),
                "X-Front-Door-Event": notification.subject,
                SIGNATURE_HEADER: sign(webhook.secret, body, int(time.time())),
            },
        )
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        raise OSError(NO_ANSWER) from exc
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise OSError(f"HTTP {status}")


def switch_off_if_dead(notification: Notification, circuit: Circuit, *, now: dt.datetime) -> bool:
    """An endpoint that has failed for WEBHOOK_SWITCH_OFF_AFTER_HOURS is
    switched off: its waiting messages are marked failed (the referrals'
    pages are the record, and the agency's system can fetch them), and the
    agency's safeguarding leads are told by email, with how to turn it back
    on. Returns whether it was switched off now."""
    first = circuit.first_failure_at
    limit = dt.timedelta(hours=settings.WEBHOOK_SWITCH_OFF_AFTER_HOURS)
    if notification.webhook_id is None or first is None or now - first < limit:
        return False
    with transaction.atomic():
        hook = (
            Webhook.objects.select_for_update()
            .filter(pk=notification.webhook_id, is_active=True)
            .first()
        )
        if hook is None:
            return False
        hook.is_active = False
        hook.save(update_fields=["is_active"])
        Notification.objects.filter(
            webhook_id=hook.pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).update(
            status=DeliveryStatus.FAILED,
            last_error="Not sent: the endpoint was switched off after failing",
            lease_expires_at=None,
        )
        hours = settings.WEBHOOK_SWITCH_OFF_AFTER_HOURS
        leads = members_with_role(agency_id=hook.agency_id, roles=[Role.AGENCY_LEAD])
        queue_notifications(
            build_notifications(
                purpose=Purpose.WEBHOOK_SWITCHED_OFF,
                recipients=recipients_for_users(m.user for m in leads),
                subject="Front Door has stopped sending status messages to one of your systems",
                body=(
                    f"Front Door could not deliver status messages to {hook.url} for "
                    f"{hours} hours, so it has stopped trying.\n\n"
                    "Nothing is lost: every referral's page in Front Door is the record, and "
                    "your system can read your referrals through the API.\n\n"
                    "When the system is working again, ask your Front Door administrator to "
                    "switch it back on. Recent messages: "
                    f"{settings.PORTAL_BASE_URL}{reverse('agency-webhooks')}"
                ),
                referral_id=None,
                now=now,
            )
        )
        record_event(
            actor=None,
            action=Action.WEBHOOK_SWITCHED_OFF,
            object_type="webhook",
            object_ref=str(hook.pk),
            origin=TASK,
            detail={"url": hook.url, "failing_since": first.isoformat()},
        )
    return True
