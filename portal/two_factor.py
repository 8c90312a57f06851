"""Two-factor sign-in for every staff account (django-otp).

A password alone only gets a person as far as these pages: the middleware in
portal.middleware sends anyone signed in but not yet verified here. A person
with an authenticator app enters its 6-digit code, or one of their recovery
codes; a person without one sets it up first and is given recovery codes,
shown once. Every success and failure is audited.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action
from audit.services import record_event
from portal.forms import GovukForm

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"
# Changing how you sign in needs a code entered in the last few minutes, so
# someone at an unlocked computer cannot enrol their own app.
CONFIRMED_AT_KEY = "two_factor_confirmed_at"
RECONFIRM_SECONDS = 5 * 60


def _recently_confirmed(request: HttpRequest) -> bool:
    return time.time() - float(request.session.get(CONFIRMED_AT_KEY, 0)) < RECONFIRM_SECONDS


def _confirm_first(request: HttpRequest, next_url: str) -> HttpResponse:
    return redirect(f"{reverse('two-factor-verify')}?{urlencode({'again': '1', 'next': next_url})}")


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        error_messages={"required": "Enter the security code"},
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, devices: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = devices
        self.device: Any = None
        self.fields["code"].widget.attrs.update({
            "autocomplete": "one-time-code", "spellcheck": "false", "inputmode": "text",
        })

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).lower()
        throttled = False
        # Six digits are for the app, anything else is a recovery code: trying
        # a recovery code on the app would count as a wrong code there.
        kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
        for device in (d for d in self.devices if isinstance(d, kind)):
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                self.device = device
                return code
        if throttled:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a minute, then enter a new code from your app"
            )
        raise forms.ValidationError("Enter the correct security code")


class SetUpForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        help_text="Enter the 6 digits the app shows for Front Door.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["code"].widget.attrs.update({
            "autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false",
        })

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code did not match. Check the app shows Front Door and enter the newest code"
            )
        return code


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _redirect_with_next(name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': _next_url(request)})}")


def authenticator_for(user: AbstractBaseUser) -> TOTPDevice:
    """The person's confirmed authenticator app, made if they have none: for
    scripts and tests that sign people in without a phone to hand."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    return device


def confirmed_devices(user: AbstractBaseUser) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the person's recovery codes with a fresh set and return them."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def qr_image(text: str) -> str:
    """The setup address as a QR code, an SVG data URL for an <img> (no
    markup of ours to mark safe, nothing inline for the CSP to allow)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
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
            request.session[CONFIRMED_AT_KEY] = time.time()
            used_recovery = isinstance(form.device, StaticDevice)
            record_event(actor=user, action=Action.TWO_FACTOR_PASSED, object_type="user",
                         object_ref=user.get_username(), request=request,
                         detail={"method": "recovery code" if used_recovery else "authenticator app"})
            if used_recovery:
                left = form.device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left. "
                    "Create new ones from ‘Your account’ if you are running out.",
                )
            return redirect(_next_url(request))
        record_event(actor=user, action=Action.TWO_FACTOR_FAILED, object_type="user",
                     object_ref=user.get_username(), request=request)
    return render(request, "registration/two_factor_verify.html",
                  {"form": form, "next": _next_url(request), "again": again})


@never_cache
@sensitive_post_parameters("code")
@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then
    prove it works with one code. Only for people who have none yet, or who
    are already verified (replacing their app)."""
    user = request.user
    has_app = user_has_device(user, confirmed=True)
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
            record_event(actor=user, action=Action.TWO_FACTOR_SET_UP, object_type="user",
                         object_ref=user.get_username(), request=request)
        otp_login(request, device)
        request.session[NEW_CODES_SESSION_KEY] = codes
        return _redirect_with_next("two-factor-codes", request)
    if request.method == "POST":
        record_event(actor=user, action=Action.TWO_FACTOR_FAILED, object_type="user",
                     object_ref=user.get_username(), request=request, detail={"step": "set up"})
    key = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/two_factor_set_up.html", {
        "form": form,
        "next": _next_url(request),
        "qr": qr_image(device.config_url),
        "key_groups": [key[i:i + 4] for i in range(0, len(key), 4)],
    })


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show newly made recovery codes, once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("account")
    return render(request, "registration/two_factor_codes.html",
                  {"codes": codes, "next": _next_url(request)})


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Your account: how you sign in, and new recovery codes."""
    static = StaticDevice.objects.filter(user=request.user, name=RECOVERY_NAME).first()
    return render(request, "registration/account.html", {
        "recovery_left": static.token_set.count() if static else 0,
        "authenticator": TOTPDevice.objects.filter(user=request.user, confirmed=True).first(),
    })


@require_POST
@login_required
def regenerate_codes(request: HttpRequest) -> HttpResponse:
    if not _recently_confirmed(request):
        messages.info(request, "Enter a security code to confirm it is you, then create the new codes.")
        return _confirm_first(request, reverse("account"))
    with transaction.atomic():
        codes = new_recovery_codes(request.user)
        record_event(actor=request.user, action=Action.RECOVERY_CODES_CREATED, object_type="user",
                     object_ref=request.user.get_username(), request=request)
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect(f"{reverse('two-factor-codes')}?{urlencode({'next': reverse('account')})}")
