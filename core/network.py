"""Who is on the other end of a request, behind the deployment's own proxy.

Behind a TLS proxy every request comes from the proxy's address; the
client's is the entry the proxy appended to X-Forwarded-For. Only the
entries our own proxies appended (TRUSTED_PROXY_COUNT, from the right) are
believed: anything further left was written by the client and proves
nothing. Lock-outs, rate limits and the audit all use this address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_address(request: Any) -> str | None:
    """The client's address as our proxies saw it, or None."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
