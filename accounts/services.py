"""Writes and reads about how a person signs in: their authenticator app and
recovery codes (django-otp devices)."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import User
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def authenticator_for(user: User) -> TOTPDevice:
    """The person's confirmed authenticator app, made if they have none: for
    scripts and tests that sign people in without a phone to hand."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    return device


def confirmed_devices(user: User) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


def new_recovery_codes(user: User) -> list[str]:
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
