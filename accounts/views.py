"""Signing in and out, the second factor, and your account.

A password alone only gets a person as far as the two-factor pages: the
middleware in accounts.middleware sends anyone signed in but not yet verified
here. A person with an authenticator app enters its 6-digit code, or one of
their recovery codes, or uses a passkey they added (accounts.passkeys); a
person with none of these sets up the app first and is given recovery codes,
shown once. Every success and failure is audited.
"""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import passkeys
from accounts.forms import AddPasskeyForm, CodeForm, PasskeyForm, SetUpForm, SignInForm
from accounts.middleware import SIGNED_IN_AT_KEY, seconds_left
from accounts.selectors import single_sign_on_available
from accounts.services import (
    AUTHENTICATOR_NAME,
    RECOVERY_NAME,
    confirmed_devices,
    new_recovery_codes,
    qr_image,
)
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    class _OtpUser(User):
        """The user as django-otp's OTPMiddleware leaves it on every request."""

        def is_verified(self) -> bool: ...

    class _OtpRequest(AuthenticatedHttpRequest):
        user: _OtpUser


NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"
# Changing how you sign in needs a code entered in the last few minutes, so
# someone at an unlocked computer cannot enrol their own app.
CONFIRMED_AT_KEY = "two_factor_confirmed_at"
RECONFIRM_SECONDS = 5 * 60


class SignInView(auth_views.LoginView):
    """First step: username and password. The second, a security code, is
    accounts.views.verify; nothing else opens until it is done."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("timed_out"):
            context["timed_out"] = True
            context["timed_out_minutes"] = settings.SESSION_IDLE_TIMEOUT // 60
        context["single_sign_on"] = single_sign_on_available()
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        super().form_valid(form)
        self.request.session[SIGNED_IN_AT_KEY] = time.time()
        return redirect(
            f"{reverse('two-factor-verify')}?{urlencode({'next': self.get_success_url()})}"
        )


@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> JsonResponse:
    """How long until the session times out. Posting ("Stay signed in" on the
    warning) counts as using Front Door and starts the time again; the page's
    own GET, sent as a background request, does not."""
    if not request.user.is_authenticated:
        # Signed out elsewhere (another tab, or the time-out): say so in a
        # way the page acts on, not with a redirect to the sign-in page.
        return JsonResponse({"signed_out": True, "seconds_left": 0})
    return JsonResponse({"seconds_left": seconds_left(request)})


class SignOutView(auth_views.LogoutView):
    pass


def _recently_confirmed(request: HttpRequest) -> bool:
    return time.time() - float(request.session.get(CONFIRMED_AT_KEY, 0)) < RECONFIRM_SECONDS


def _confirm_first(request: HttpRequest, next_url: str) -> HttpResponse:
    return redirect(f"{reverse('two-factor-verify')}?{urlencode({'again': '1', 'next': next_url})}")


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _redirect_with_next(name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': _next_url(request)})}")


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: _OtpRequest) -> HttpResponse:
    """Second step of signing in: the code from the app, or a recovery code."""
    user = request.user
    again = (request.POST.get("again") or request.GET.get("again")) == "1"
    if user.is_verified() and not again:
        return redirect(_next_url(request))
    devices = confirmed_devices(user)
    if not devices:
        return _redirect_with_next("two-factor-set-up", request)
    form = CodeForm(request.POST or None, user=user, devices=devices)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, form.device)
            # A new session key once both factors are in: a key someone
            # planted or saw before the second factor is worth nothing after.
            request.session.cycle_key()
            request.session[CONFIRMED_AT_KEY] = time.time()
            used_recovery = isinstance(form.device, StaticDevice)
            record_event(
                actor=user,
                action=Action.TWO_FACTOR_PASSED,
                object_type="user",
                object_ref=user.get_username(),
                origin=Origin.of(request),
                detail={"method": "recovery code" if used_recovery else "authenticator app"},
            )
            if used_recovery:
                left = form.device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left. "
                    "Create new ones from ‘Your account’ if you are running out.",
                )
            return redirect(_next_url(request))
        record_event(
            actor=user,
            action=Action.TWO_FACTOR_FAILED,
            object_type="user",
            object_ref=user.get_username(),
            origin=Origin.of(request),
        )
    return _verify_page(request, code_form=form, again=again)


def _verify_page(
    request: _OtpRequest,
    *,
    code_form: CodeForm,
    again: bool,
    passkey_form: PasskeyForm | None = None,
) -> HttpResponse:
    """The code page, with "Use a passkey" for someone who has one."""
    user = request.user
    context: dict[str, Any] = {
        # The form whose errors the summary and the page title show.
        "form": passkey_form if passkey_form is not None and passkey_form.errors else code_form,
        "code_form": code_form,
        "next": _next_url(request),
        "again": again,
        "has_app": passkeys.has_app(user=user),
        "has_passkey": passkeys.has_passkey(user=user),
    }
    if context["has_passkey"]:
        context["passkey_form"] = passkey_form or PasskeyForm()
        if passkeys.passkeys_work_at(request):
            options = passkeys.sign_in_options(request=request, user=user)
            context["passkey_options"] = json.dumps(options)
        else:
            context["passkey_address"] = passkeys.passkey_address()
    if passkey_form is not None and "passkey_options" not in context:
        # No "Use a passkey" button now (the passkey was removed meanwhile):
        # the error summary points at the code box instead.
        passkey_form.anchor = code_form["code"].auto_id
    return render(request, "registration/two_factor_verify.html", context)


@never_cache
@require_POST
@sensitive_post_parameters("credential")
@login_required
def passkey_sign_in(request: _OtpRequest) -> HttpResponse:
    """Second step of signing in, or confirming it is you, with a passkey:
    the code page's "Use a passkey" form, filled in by static/js/passkeys.mjs."""
    user = request.user
    again = request.POST.get("again") == "1"
    if user.is_verified() and not again:
        return redirect(_next_url(request))
    form = PasskeyForm(request.POST)
    if form.is_valid():
        try:
            passkey = passkeys.use_passkey(
                request=request,
                user=user,
                credential=form.cleaned_data["credential"],
                origin=Origin.of(request),
            )
        except passkeys.PasskeyRefused:
            form.add_error(None, PasskeyForm.refused)
        else:
            otp_login(request, passkey)
            # A new session key once both factors are in, as with a code.
            request.session.cycle_key()
            request.session[CONFIRMED_AT_KEY] = time.time()
            return redirect(_next_url(request))
    devices = confirmed_devices(user)
    if not devices:
        return _redirect_with_next("two-factor-set-up", request)
    return _verify_page(
        request, code_form=CodeForm(user=user, devices=devices), again=again, passkey_form=form
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def set_up(request: _OtpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then
    prove it works with one code. Only for people who have none yet, or who
    are already verified (replacing their app)."""
    user = request.user
    # Only devices that take a code: a provider's two-factor sign-in is not an app.
    has_app = bool(confirmed_devices(user))
    if has_app and not user.is_verified():
        return _redirect_with_next("two-factor-verify", request)
    if has_app and not _recently_confirmed(request):
        return _confirm_first(request, request.get_full_path())
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    form = SetUpForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_recovery_codes(user)
            record_event(
                actor=user,
                action=Action.TWO_FACTOR_SET_UP,
                object_type="user",
                object_ref=user.get_username(),
                origin=Origin.of(request),
            )
        otp_login(request, device)
        request.session.cycle_key()
        request.session[NEW_CODES_SESSION_KEY] = codes
        return _redirect_with_next("two-factor-codes", request)
    if request.method == "POST":
        record_event(
            actor=user,
            action=Action.TWO_FACTOR_FAILED,
            object_type="user",
            object_ref=user.get_username(),
            origin=Origin.of(request),
            detail={"step": "set up"},
        )
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr": qr_image(device.config_url),
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
        },
    )


@never_cache
@login_required
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show newly made recovery codes, once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("account")
    return render(
        request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@never_cache
@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your account: how you sign in (app, passkeys), and new recovery codes."""
    static = StaticDevice.objects.filter(user=request.user, name=RECOVERY_NAME).first()
    user_passkeys = passkeys.passkeys_for(user=request.user)
    authenticator = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    return render(
        request,
        "registration/account.html",
        {
            "recovery_left": static.token_set.count() if static else 0,
            "authenticator": authenticator,
            "passkeys": user_passkeys,
            # One of the app or a passkey must stay, to finish signing in with.
            "can_remove_passkey": passkeys.can_remove_passkey(user=request.user),
            "can_remove_app": authenticator is not None and bool(user_passkeys),
        },
    )


@require_POST
@login_required
def regenerate_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _recently_confirmed(request):
        messages.info(
            request, "Enter a security code to confirm it is you, then create the new codes."
        )
        return _confirm_first(request, reverse("account"))
    with transaction.atomic():
        codes = new_recovery_codes(request.user)
        record_event(
            actor=request.user,
            action=Action.RECOVERY_CODES_CREATED,
            object_type="user",
            object_ref=request.user.get_username(),
            origin=Origin.of(request),
        )
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect(f"{reverse('two-factor-codes')}?{urlencode({'next': reverse('account')})}")


def _keep_verified(request: _OtpRequest) -> None:
    """After removing the passkey or app this session was verified with, tie
    the session to one the person still has. They did pass a second factor,
    minutes ago; without this the next page would ask for it again."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if persistent_id and Device.from_persistent_id(persistent_id) is None:
        remaining = passkeys.a_second_factor(user=request.user)
        if remaining is not None:
            otp_login(request, remaining)


@never_cache
@sensitive_post_parameters("credential")
@login_required
def add_passkey(request: _OtpRequest) -> HttpResponse:
    """Add a passkey: name it, then the browser makes it (static/js/passkeys.mjs)."""
    if not _recently_confirmed(request):
        return _confirm_first(request, reverse("passkey-add"))
    user = request.user
    form = AddPasskeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passkey = passkeys.add_passkey(
                request=request,
                user=user,
                name=form.cleaned_data["name"],
                credential=form.cleaned_data["credential"],
                origin=Origin.of(request),
            )
        except passkeys.PasskeyRefused as refused:
            form.add_error(
                None, AddPasskeyForm.exists if refused.reason == "already added" else form.refused
            )
        else:
            messages.success(
                request,
                f"Passkey ‘{passkey.name}’ added. You can use it the next time you sign in.",
            )
            return redirect("account")
    context: dict[str, Any] = {
        "form": form,
        "name_max_length": passkeys.NAME_MAX_LENGTH,
        "works_here": passkeys.passkeys_work_at(request),
        "passkey_address": passkeys.passkey_address(),
    }
    if context["works_here"]:
        context["passkey_options"] = json.dumps(
            passkeys.registration_options(request=request, user=user)
        )
    return render(request, "registration/passkey_add.html", context)


@never_cache
@login_required
def remove_passkey(request: _OtpRequest, passkey_id: int) -> HttpResponse:
    """Check, then remove one of your passkeys; never your last way to sign in."""
    passkey = passkeys.passkey_of(user=request.user, passkey_id=passkey_id)
    if passkey is None:
        raise Http404
    if not _recently_confirmed(request):
        return _confirm_first(request, request.path)
    last = not passkeys.can_remove_passkey(user=request.user)
    if request.method == "POST" and not last:
        try:
            name = passkeys.remove_passkey(
                user=request.user, passkey_id=passkey.pk, origin=Origin.of(request)
            )
        except passkeys.PasskeyNotFound as exc:
            raise Http404 from exc
        except passkeys.LastSecondFactor:
            last = True
        else:
            _keep_verified(request)
            messages.success(request, f"Passkey ‘{name}’ removed.")
            return redirect("account")
    return render(request, "registration/passkey_remove.html", {"passkey": passkey, "last": last})


@never_cache
@login_required
def remove_app(request: _OtpRequest) -> HttpResponse:
    """Check, then remove your authenticator app, if you have a passkey instead."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("account")
    if not _recently_confirmed(request):
        return _confirm_first(request, request.path)
    last = not passkeys.has_passkey(user=request.user)
    if request.method == "POST" and not last:
        try:
            passkeys.remove_app(user=request.user, origin=Origin.of(request))
        except passkeys.LastSecondFactor:
            last = True
        else:
            _keep_verified(request)
            messages.success(request, "Authenticator app removed. Sign in with a passkey.")
            return redirect("account")
    return render(request, "registration/authenticator_remove.html", {"last": last})
