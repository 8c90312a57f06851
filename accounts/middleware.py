"""Request gates that apply to every page: a second factor before anything
else, and signing out a session nobody has used for a while."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from audit.models import Action
from audit.services import Origin, record_event

LAST_ACTIVE_KEY = "last_active_at"
SIGNED_IN_AT_KEY = "signed_in_at"
RESUME_KEY = "resume_unsaved"
# Requests the page makes by itself (the dashboard refreshing, the timeout
# warning asking how long is left) do not count as someone using it.
BACKGROUND_HEADER = "HTTP_X_FRONT_DOOR_BACKGROUND"
# Only the portal's own work pages keep typed work across a time-out (never
# the admin, whose forms include passwords), and at most a page's worth.
RESUMABLE_PREFIXES = ("/referrals/", "/questions/", "/front-door/")
RESUME_MAX_BYTES = 64 * 1024

# Pages a person can reach while signed in with a password but no second
# factor yet: the two-factor steps themselves, signing out, and the public
# health check, static files and API description.
OPEN_PREFIXES = (
    "/sign-in/",
    "/sign-out/",
    "/static/",
    "/healthz",
    "/api/v1/schema/",
    "/api/v1/docs/",
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def seconds_left(request: HttpRequest) -> int:
    """How long this session has before it times out (a POST has just used it)."""
    last = float(request.session.get(LAST_ACTIVE_KEY, time.time()))
    return max(round(settings.SESSION_IDLE_TIMEOUT - (time.time() - last)), 0)


class SecondFactorMiddleware:
    """Everyone signed in with a session must have passed the second factor.

    API keys are not sessions: their requests are authenticated by DRF and
    never reach this check as a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if _is_api(request):
                return JsonResponse(
                    {
                        "detail": "Finish signing in: enter the security code from your "
                        "authenticator app."
                    },
                    status=403,
                )
            target = request.get_full_path() if request.method == "GET" else reverse("home")
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': target})}")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session that nobody has used for SESSION_IDLE_TIMEOUT seconds.

    The page warns two minutes before (static/js/session-timeout.mjs). If a
    form arrives after the time-out, what was typed is kept in the new,
    signed-out session, and offered back to the same person on the same page
    once they have signed in again (portal.context_processors.resume)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        last = request.session.get(LAST_ACTIVE_KEY)
        if last is not None and now - float(last) > settings.SESSION_IDLE_TIMEOUT:
            return self._time_out(request, now - float(last))
        # However busy, a session ends SESSION_ABSOLUTE_SECONDS after signing
        # in (a working day): a stolen session cookie does not last for ever.
        started = request.session.setdefault(SIGNED_IN_AT_KEY, now)
        if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
            return self._time_out(request, 0, absolute=True)
        if request.META.get(BACKGROUND_HEADER) != "1":
            request.session[LAST_ACTIVE_KEY] = now
        return self.get_response(request)

    def _time_out(
        self, request: HttpRequest, idle_seconds: float, *, absolute: bool = False
    ) -> HttpResponse:
        user = request.user
        record_event(
            actor=user,
            action=Action.TIMED_OUT,
            object_type="user",
            object_ref=user.get_username(),
            origin=Origin.of(request),
            detail={"after_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600}
            if absolute
            else {"idle_minutes": int(idle_seconds // 60)},
        )
        unsaved = _typed_work(request)
        user_id = user.pk
        logout(request)
        if _is_api(request):
            return JsonResponse(
                {"detail": "You were signed out because the session was not used."}, status=401
            )
        if request.META.get(BACKGROUND_HEADER) == "1":
            # The page asking by itself: an answer it understands, not an error.
            return JsonResponse({"signed_out": True, "seconds_left": 0})
        if unsaved is not None:
            request.session[RESUME_KEY] = {
                "user_id": user_id,
                "path": request.path,
                "data": unsaved,
            }
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        note = (
            f"You were signed out because Front Door was not used for {minutes} minutes. "
            "This keeps information about children safe on shared computers."
        )
        if absolute:
            note = (
                f"You were signed out because you signed in more than "
                f"{settings.SESSION_ABSOLUTE_SECONDS // 3600} hours ago. Sign in again to go on."
            )
        if unsaved is not None:
            note += " What you had just typed is kept: sign in again to save it."
        messages.info(request, note)
        next_path = request.get_full_path() if request.method == "GET" else request.path
        return redirect(f"{reverse('sign-in')}?{urlencode({'next': next_path})}")


def _no_view(request: HttpRequest) -> HttpResponse:
    """A stand-in view for asking the CSRF check about a request (not exempt)."""
    return HttpResponse()


def _typed_work(request: HttpRequest) -> list[list[Any]] | None:
    """The form fields of a POST that arrived too late, without its CSRF token."""
    if request.method != "POST" or not request.path.startswith(RESUMABLE_PREFIXES):
        return None
    if CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {}) is not None:
        return None  # only what the person's own page sent
    fields = [[key, values] for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"]
    if not fields or len(json.dumps(fields)) > RESUME_MAX_BYTES:
        return None
    return fields


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a proxy:
    pages and API answers carry children's details (Cache-Control: no-store,
    private), so the back button on a shared computer shows nothing once
    they have signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.headers.get("Authorization"):
            patch_cache_control(response, no_store=True, private=True, no_cache=True)
        return response
