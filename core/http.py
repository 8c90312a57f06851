"""Requests as a view behind a sign-in sees them.

A view wrapped in `login_required`, or an API view behind DRF's
IsAuthenticated (every API view, by the default permission), only ever runs
for a signed-in person, so its `request.user` is a User, never AnonymousUser.
Annotating such a view's request with these says so to the type checker."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User


def signed_in_with_two_factors(user: object) -> bool:
    """Whether a page's user signed in with a password and a second factor.
    A user an API request authenticated by its key or token has no such
    check on it (django-otp's middleware adds it to sessions only), and is
    not treated as signed in to the pages."""
    verified = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and callable(verified) and verified())
