"""Writes and reads about how a person signs in: their authenticator app and
recovery codes (django-otp devices)."""

from __future__ import annotations

import base64
import hashlib
import io
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import User
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action
from audit.services import Origin, record_event

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


def reset_second_factor(*, person: User, actor: Any, origin: Origin) -> None:
    """Remove every second factor a person has (authenticator app, recovery
    codes, any other device): they set one up again at their next sign-in,
    after their password. For a lost phone; no key or code is shown to the
    administrator who does it."""
    with transaction.atomic():
        for device in list(devices_for_user(person, confirmed=None)):
            device.delete()
        record_event(
            actor=actor,
            action=Action.SECOND_FACTOR_RESET,
            object_type="user",
            object_ref=person.get_username(),
            origin=origin,
        )


# --- Slowing password guesses without locking anyone out --------------------
# After a few wrong passwords for one username, from anywhere, each further
# try must wait a little longer (2, 4, 8... seconds, at most 30). Unlike a
# lock-out, the person can always sign in once they wait, so nobody can lock
# a named worker out by typing their username wrongly (the lock-out itself is
# per username and address: django-axes).
BACKOFF_AFTER_FAILURES = 3
BACKOFF_LONGEST_SECONDS = 30
BACKOFF_FORGET_SECONDS = 15 * 60


def typed_username_digest(request: Any, credentials: dict[str, Any] | None) -> str:
    """What django-axes keeps for a typed username: a one-way hash, so a
    password typed into the username box is never stored."""
    typed = str((credentials or {}).get("username", "")).strip().lower()
    return "sha256:" + hashlib.sha256(typed.encode()).hexdigest()[:32]


def _backoff_key(username: str) -> str:
    return "signin-backoff:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()


def note_failed_sign_in(username: str) -> None:
    from django.core.cache import cache

    key = _backoff_key(username)
    try:
        failures, _ = cache.get(key, (0, 0.0))
        cache.set(key, (failures + 1, time.time()), BACKOFF_FORGET_SECONDS)
    except Exception:  # noqa: BLE001 - a cache outage must not stop sign-in
        return


def sign_in_wait(username: str) -> int:
    """Seconds this username must wait before its next try (0: go ahead)."""
    from django.core.cache import cache

    try:
        failures, last = cache.get(_backoff_key(username), (0, 0.0))
    except Exception:  # noqa: BLE001 - fail open
        return 0
    if failures < BACKOFF_AFTER_FAILURES:
        return 0
    wait = min(BACKOFF_LONGEST_SECONDS, 2 ** (failures - BACKOFF_AFTER_FAILURES + 1))
    return max(0, int(last + wait - time.time() + 0.999))
