"""Registering an agency system's webhook endpoint: where it may point, and
its signing secret. Delivery (signing, sending, the checks made again before
each delivery) is notifications.webhooks."""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def new_secret() -> str:
    return secrets.token_hex(32)


def check_url(url: str) -> None:
    """HTTPS only; plain HTTP to this machine only where allowed (local testing).
    An address on a private network is refused too (see refuse_private)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return
        if literal.is_global or settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
            return
        raise ValidationError(
            {"url": "Enter a public https:// address, not one on a private network"}
        )
    loopback = False
    try:
        loopback = (
            parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname or "").is_loopback
        )
    except ValueError:
        loopback = False
    if parts.scheme == "http" and loopback and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    raise ValidationError({"url": "Enter an https:// address"})
