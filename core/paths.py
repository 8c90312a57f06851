"""Paths to a referral's pages without resolving the URL each time.

Django's reverse() is not free: nothing for one link, but the dashboard has
three links a row and a catch-up sweep words one email per manager per breach.
The path is resolved once per URL name and script prefix with a stand-in for
the reference, which is then replaced.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

_REFERENCE = "REFERENCE"


@lru_cache(maxsize=32)
def _template(name: str, script_prefix: str) -> str:
    return reverse(name, args=[_REFERENCE])


def referral_path(name: str, reference: str) -> str:
    """reverse(name, args=[reference]) for a URL that takes a reference.
    References are letters, digits and hyphens: nothing to quote."""
    return _template(name, get_script_prefix()).replace(_REFERENCE, reference, 1)
