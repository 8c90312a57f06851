"""Signing in with an organisation's account (OpenID Connect single sign-on).

1. `/sign-in/organisation/`: the person types their work email; the agency
   whose domains match (or the one they choose, where several share a
   domain) decides the provider, and a button takes them there.
2. `/sign-in/organisation/callback/`: the provider sends them back; the
   answer is checked (accounts.oidc), matched to one person with an active
   membership of that agency (accounts.selectors), audited, and the person
   signed in. The second factor is then the provider's, where the agency
   accepts it and the ID token shows it, or the person's own (a code or a
   passkey), as after a password (accounts.middleware.SecondFactorMiddleware
   holds every other page until one of them is done).

Anyone refused sees who to contact; every refusal is audited (answers that
anyone could make up, folded by address).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from accounts import oidc
from accounts.forms import OrganisationSignInForm
from accounts.middleware import SIGNED_IN_AT_KEY
from accounts.models import SingleSignOn
from accounts.selectors import PersonRefused, Refusal, single_sign_ons_for_email
from accounts.services import accept_single_sign_on, refuse_single_sign_on
from audit.models import Action
from audit.services import Origin, record_repeated_refusal

logger = logging.getLogger(__name__)

# The session keeps one attempt at a time: starting again replaces it.
PENDING_KEY = "single_sign_on_pending"
# Password sign-ins go through django.contrib.auth's backends; a provider's
# answer has been checked here instead, and the session then loads the
# person as any other (an inactive person is never loaded).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _client(single_sign_on: SingleSignOn) -> oidc.Client:
    return oidc.Client(
        issuer=single_sign_on.issuer,
        client_id=single_sign_on.client_id,
        client_secret=single_sign_on.client_secret,
        scopes=single_sign_on.scopes,
    )


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Which organisation, from the work email, then off to its provider."""
    data = request.POST if request.method == "POST" else None
    form = OrganisationSignInForm(
        data, options=single_sign_ons_for_email(email=data.get("email", "")) if data else []
    )
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    chosen = form.chosen if data is not None and form.is_valid() else None
    if chosen is not None:
        try:
            url, pending = oidc.start_sign_in(
                client=_client(chosen),
                redirect_uri=request.build_absolute_uri(reverse("single-sign-on-callback")),
                login_hint=form.cleaned_data["email"],
            )
        except oidc.ProtocolError as exc:
            logger.warning("Single sign-on for %s could not start: %s", chosen.agency, exc.reason)
            form.add_error(
                "email",
                f"Front Door cannot reach {chosen.provider_name} at the moment. Try again in a "
                "few minutes, or sign in with your username and password",
            )
        else:
            request.session[PENDING_KEY] = {
                **pending.to_session(),
                "single_sign_on": chosen.pk,
                "next": next_url,
            }
            # A link the person follows, not a redirect: this answers a form,
            # and browsers hold where a form's answer leads to our CSP's
            # form-action, which allows Front Door alone.
            return render(
                request,
                "registration/organisation_sign_in_continue.html",
                {"single_sign_on": chosen, "authorize_url": url},
            )
    return render(
        request,
        "registration/organisation_sign_in.html",
        {
            "form": form,
            "next": next_url,
            "choosing": form.choosing,
        },
    )


def _refused(
    request: HttpRequest,
    *,
    single_sign_on: SingleSignOn | None,
    reason: str,
    identity: oidc.Identity | None,
    refusal: Refusal | None,
) -> HttpResponse:
    if identity is None:
        # Anyone can send this address a made-up answer without signing in
        # anywhere: fold those by address, so a flood cannot fill the
        # append-only audit (the 1st, 10th, 100th... in a minute are kept).
        record_repeated_refusal(
            request,
            object_type="agency",
            object_ref=single_sign_on.agency.name if single_sign_on is not None else "",
            reason=reason,
            action=Action.SINGLE_SIGN_ON_REFUSED,
        )
    else:
        # A person the provider really signed in: every attempt is kept.
        refuse_single_sign_on(
            single_sign_on=single_sign_on,
            reason=reason,
            identity=identity,
            origin=Origin.of(request),
        )
    context: dict[str, Any] = {"single_sign_on": single_sign_on, "refusal": refusal}
    if refusal is None:
        template = "registration/organisation_sign_in_failed.html"
    else:
        template = "registration/organisation_sign_in_refused.html"
        context["email"] = identity.email if identity is not None else None
    return render(request, template, context, status=403)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a code, or an error."""
    # Used once, whatever happens: a state or code is never accepted twice.
    saved = request.session.pop(PENDING_KEY, None)
    pending = oidc.PendingSignIn.from_session(saved)
    single_sign_on = None
    if pending is not None and isinstance(saved.get("single_sign_on"), int):
        single_sign_on = (
            SingleSignOn.objects.filter(
                pk=saved["single_sign_on"], is_active=True, agency__is_active=True
            )
            .select_related("agency")
            .first()
        )
    if pending is None or single_sign_on is None:
        return _refused(
            request,
            single_sign_on=single_sign_on,
            reason="no sign-in with an organisation account was started in this session",
            identity=None,
            refusal=None,
        )
    try:
        identity = oidc.finish_sign_in(
            client=_client(single_sign_on), pending=pending, params=request.GET.dict()
        )
    except oidc.ProtocolError as exc:
        return _refused(
            request, single_sign_on=single_sign_on, reason=exc.reason, identity=None, refusal=None
        )
    try:
        signed_in = accept_single_sign_on(
            single_sign_on=single_sign_on, identity=identity, origin=Origin.of(request)
        )
    except PersonRefused as exc:
        return _refused(
            request,
            single_sign_on=single_sign_on,
            reason=exc.refusal.label,
            identity=identity,
            refusal=exc.refusal,
        )
    # A fresh sign-in earns its second factor afresh, even in a session that
    # had one before.
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    login(request, signed_in.user, backend=SESSION_BACKEND)
    # The working day's clock starts now, as after a password.
    request.session[SIGNED_IN_AT_KEY] = time.time()
    next_url = _safe_next(request, str(saved.get("next") or ""))
    if signed_in.device is not None:
        otp_login(request, signed_in.device)
        return redirect(next_url)
    return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': next_url})}")
