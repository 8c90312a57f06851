"""API rate limits that never turn a cache outage into a failed submission.

The counters live in the shared cache (Redis in production). If Redis is down,
DRF's throttles would raise and every API request would fail with a 500. A
referral matters more than a rate limit: while the cache cannot be reached,
requests are let through and the outage is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import throttling

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - any cache failure: let the request through
            logger.warning("Rate-limit cache unreachable; request allowed without counting")
            return True


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass
