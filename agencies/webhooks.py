"""Where an agency system's webhook endpoint may point, and its signing secret.

An endpoint must be a public https:// address on port 443, so that no agency
can make Front Door's own servers call the database, the broker, the cloud's
metadata service or anything else on our side of the firewall (SSRF). The
same judgement is made at registration (`check_url`) and again, on the
addresses the name resolves to, before each delivery
(`notifications.webhooks`), because a name can be pointed elsewhere later.

Plain http:// to this machine is allowed only where WEBHOOK_ALLOW_HTTP_LOOPBACK
is on (trying webhooks out locally, and the tests); never in production.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Webhook
from audit.models import Action
from audit.services import WEB, Origin, record_event
from core.secrets import encrypt

# An agency's systems need one or two endpoints (a live one, a test one); a
# cap keeps one agency from filling the delivery queue with its own.
MAX_WEBHOOKS_PER_AGENCY = 3
HTTPS_PORT = 443

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def new_secret() -> str:
    return secrets.token_hex(32)


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64),
    or the address itself: a private IPv4 address in IPv6 clothing is still
    private."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if any(address in network for network in _NAT64):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet, judging an IPv6 address
    that carries an IPv4 one by the IPv4 address."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return True
    inner = embedded_ipv4(address)
    return inner.is_global and not inner.is_multicast


def loopback_allowed(scheme: str, address: IPAddress) -> bool:
    """Plain http:// to this machine, where local testing allows it."""
    return (
        scheme == "http"
        and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK
        and embedded_ipv4(address).is_loopback
    )


def check_url(url: str) -> None:
    """At registration: https:// on port 443 to a name or a public address;
    plain http:// to this machine only where allowed (local testing)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(
            {"url": "Enter a web address like https://example.org/hooks"}
        ) from None
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise ValidationError({"url": "Enter the address without a user name or password in it"})
    literal: IPAddress | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = ipaddress.ip_address("127.0.0.1") if host == "localhost" else None
    if literal is not None and loopback_allowed(parts.scheme, literal):
        return
    if parts.scheme != "https" or not host:
        raise ValidationError({"url": "Enter an https:// address"})
    if port not in (None, HTTPS_PORT):
        raise ValidationError({"url": "Use the standard https port (443): leave the port out"})
    if literal is not None and not is_public(literal):
        raise ValidationError(
            {"url": "Enter a public https:// address, not one on a private network"}
        )


def check_room_for_another(agency_id: int, *, exclude: int | None = None) -> None:
    """An agency may have at most MAX_WEBHOOKS_PER_AGENCY endpoints switched on."""
    active = Webhook.objects.filter(agency_id=agency_id, is_active=True)
    if exclude is not None:
        active = active.exclude(pk=exclude)
    if active.count() >= MAX_WEBHOOKS_PER_AGENCY:
        raise ValidationError(
            {
                "url": f"An agency can have at most {MAX_WEBHOOKS_PER_AGENCY} endpoints: "
                "remove one before adding another"
            }
        )


def register_webhook(
    *, agency: Agency, url: str, events: list[str], actor: Any, origin: Origin = WEB
) -> Webhook:
    """Register an endpoint, with a new signing secret (the caller shows it
    once). The agency row is locked while its endpoints are counted, so two
    registrations at once cannot both take the last place."""
    check_url(url)
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        check_room_for_another(agency.pk)
        hook = Webhook.objects.create(
            agency=agency,
            url=url,
            encrypted_secret=encrypt(new_secret()),
            events=events,
            created_at=timezone.now(),
        )
        record_event(
            actor=actor,
            action=Action.WEBHOOK_REGISTERED,
            object_type="webhook",
            object_ref=str(hook.pk),
            origin=origin,
            detail={"url": hook.url, "agency": agency.name},
        )
    return hook
