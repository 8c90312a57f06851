"""Sending email and text messages through GOV.UK Notify, within each
delivery's deadline, and never the same message twice.

Chosen per deployment: with NOTIFY_API_KEY set, the outbox's emails go
through Notify (and text messages can be sent at all); without it, emails go
through Django's EMAIL_BACKEND (SMTP, or the files of `make run`).

What Notify is given (`personalisation`): the message's subject and body,
which carry a referral's reference and a link back to the portal and never a
child's name or concern (referrals.messages), and the reference and link on
their own, so a template may use only those. Each purpose has its own
template (NOTIFY_TEMPLATE_IDS), so a council words each kind of message in
Notify and sees which kind failed.

The outbox's idempotency key goes as Notify's `reference`. Notify does not
refuse a repeat of a reference, so before trying a message again after an
attempt whose outcome is unknown (a timeout, a dropped connection, a 5xx),
Notify is asked for messages with that reference: if it took one, that one is
recorded and nothing is sent again.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from django.conf import settings
from notifications_python_client.errors import HTTPError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from notifications.deadline import current_deadline
from notifications.models import Channel, Notification

# Notify's own words for a message it has given up on; any other status
# (created, sending, pending, sent, delivered, accepted, received) means it
# has the message in hand.
NOTIFY_FAILED_STATUSES = frozenset(
    {"permanent-failure", "temporary-failure", "technical-failure", "validation-failed"}
)


class NotifyRefused(Exception):
    """Notify refused the message itself (400: a bad address, a missing
    template field): sending it again would be refused again."""


class NotifyUnavailable(OSError):
    """Notify did not take the message: no answer, rate limited (429), a
    server error, or our key refused (403). Tried again later."""


def is_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY)


def sends_texts() -> bool:
    """Texts go only through Notify, and only with a text template."""
    return is_configured() and bool(settings.NOTIFY_SMS_TEMPLATE_ID)


def uses_notify(channel: str) -> bool:
    """Whether this channel's messages go through Notify (text messages
    always do; emails when Notify is configured)."""
    return channel == Channel.SMS or (channel == Channel.EMAIL and is_configured())


def template_for(notification: Notification) -> str:
    """The Notify template for this message's purpose, or the channel's
    default template."""
    chosen: str = settings.NOTIFY_TEMPLATE_IDS.get(notification.purpose, "")
    if chosen:
        return chosen
    if notification.channel == Channel.SMS:
        return str(settings.NOTIFY_SMS_TEMPLATE_ID)
    return str(settings.NOTIFY_EMAIL_TEMPLATE_ID)


_LINK = re.compile(r"https?://\S+")


def personalisation(notification: Notification) -> dict[str, str]:
    """What fills the template: the outbox's own subject and body (already
    free of a child's details), and the reference and the link."""
    link = _LINK.search(notification.body)
    return {
        "subject": notification.subject,
        "body": notification.body,
        "reference": notification.referral.reference if notification.referral else "",
        "link": link.group(0) if link else settings.PORTAL_BASE_URL,
    }


class _Watched:
    """A urllib3 connection the current delivery deadline watches: when the
    time is up its socket is shut, so a Notify that trickles its answer costs
    one deadline, however slowly it sends."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


class NotifySender:
    """One Notify client for a batch of deliveries (the client keeps its
    connection open between messages)."""

    def __init__(self) -> None:
        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )
        adapter = _DeadlineAdapter()
        self.client.request_session.mount("http://", adapter)
        self.client.request_session.mount("https://", adapter)

    def send(self, notification: Notification) -> str:
        """Send one message; returns Notify's id for it. Raises
        NotifyRefused (never worth repeating) or NotifyUnavailable."""
        deadline = current_deadline()
        self.client.timeout = (
            deadline.timeout(settings.NOTIFY_TIMEOUT_SECONDS)
            if deadline
            else settings.NOTIFY_TIMEOUT_SECONDS
        )
        reference = str(notification.idempotency_key)
        if notification.attempts > 1:
            # An earlier attempt may have reached Notify before its answer
            # was lost: Notify keeps no such check itself. (One that Notify
            # reported failed, a temporary failure, is sent again.)
            taken = self._already_taken(reference)
            if taken:
                return taken
        try:
            if notification.channel == Channel.SMS:
                answer = self.client.send_sms_notification(
                    phone_number=notification.to_address,
                    template_id=template_for(notification),
                    personalisation=personalisation(notification),
                    reference=reference,
                )
            else:
                answer = self.client.send_email_notification(
                    email_address=notification.to_address,
                    template_id=template_for(notification),
                    personalisation=personalisation(notification),
                    reference=reference,
                )
        except HTTPError as exc:
            raise _translate(exc) from exc
        except (InvalidResponse, requests.RequestException, ValueError) as exc:
            raise NotifyUnavailable(f"Notify gave no usable answer: {exc}") from exc
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""

    def _already_taken(self, reference: str) -> str:
        try:
            found = self.client.get_all_notifications(reference=reference)
        except HTTPError as exc:
            raise _translate(exc) from exc
        except (InvalidResponse, requests.RequestException, ValueError) as exc:
            raise NotifyUnavailable(f"Notify gave no usable answer: {exc}") from exc
        for item in (found or {}).get("notifications", []):
            if item.get("reference") == reference and item.get("status") not in (
                NOTIFY_FAILED_STATUSES
            ):
                return str(item.get("id", ""))
        return ""


def _translate(exc: HTTPError) -> Exception:
    """Notify's error, in words an administrator can act on. 400 is the
    message's fault and final; anything else is Notify's or ours, and passes."""
    raw: Any = exc.message
    messages: list[Any] = raw if isinstance(raw, list) else [raw]
    words = "; ".join(
        str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in messages
    )[:400]
    status = exc.status_code
    if status == 400:
        return NotifyRefused(f"Notify refused the message: {words}")
    if status == 429:
        return NotifyUnavailable(f"Notify is rate limiting us (429): {words}")
    if status == 403:
        return NotifyUnavailable(f"Notify refused our API key (403): {words}")
    return NotifyUnavailable(f"Notify answered {status}: {words}")
