"""API rate limits that never turn a cache outage into a failed submission.

The counters live in the shared cache (Redis in production). If Redis is down,
DRF's throttles would raise and every API request would fail with a 500. A
referral matters more than a rate limit: while the cache cannot be reached,
requests are let through and the outage is logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rest_framework import throttling

logger = logging.getLogger(__name__)

# After the cache fails to answer, stop asking it for a while, so an outage
# does not add the cache client's connection retries to every request.
CACHE_BACKOFF_SECONDS = 10.0
_cache_down_until = 0.0


class _FailOpen(throttling.BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        global _cache_down_until
        if time.monotonic() < _cache_down_until:
            return True
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any cache failure: let the request through
            _cache_down_until = time.monotonic() + CACHE_BACKOFF_SECONDS
            logger.warning(
                "Rate-limit cache unreachable; requests allowed without counting for %ss",
                CACHE_BACKOFF_SECONDS,
            )
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


# --- Failed credentials, counted per client address ------------------------
FAILURE_WINDOW_SECONDS = 60


def _failure_key(address: str | None) -> str:
    return f"auth-failures:{address or 'unknown'}"


def failures_from(address: str | None) -> int:
    """Failed credentials from this address in the current minute (0 if the
    cache cannot say: a cache outage must not lock anyone out)."""
    global _cache_down_until
    from django.core.cache import cache

    if time.monotonic() < _cache_down_until:
        return 0
    try:
        return int(cache.get(_failure_key(address), 0))
    except Exception:  # noqa: BLE001 - fail open, and stop asking for a while
        _cache_down_until = time.monotonic() + CACHE_BACKOFF_SECONDS
        return 0


def count_failure(address: str | None) -> int:
    """Count one more failure from this address; how many this minute."""
    global _cache_down_until
    from django.core.cache import cache

    if time.monotonic() < _cache_down_until:
        return 1
    key = _failure_key(address)
    try:
        cache.add(key, 0, FAILURE_WINDOW_SECONDS)
        return int(cache.incr(key))
    except Exception:  # noqa: BLE001 - fail open: count it as the first
        _cache_down_until = time.monotonic() + CACHE_BACKOFF_SECONDS
        return 1


# --- A budget per address, for pages anyone may use ------------------------


def within_budget(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more use of `key` in its window; whether it is still within
    `limit`. Fails open: a cache outage never turns a real person away."""
    global _cache_down_until
    from django.core.cache import cache

    if time.monotonic() < _cache_down_until:
        return True
    try:
        cache.add(key, 0, window_seconds)
        return int(cache.incr(key)) <= limit
    except Exception:  # noqa: BLE001 - fail open, and stop asking for a while
        _cache_down_until = time.monotonic() + CACHE_BACKOFF_SECONDS
        return True
