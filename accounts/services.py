"""Writes and reads about how a person signs in: their authenticator app and
recovery codes (django-otp devices), and signing in with their
organisation's account (single sign-on)."""

from __future__ import annotations

import base64
import hashlib
import io
import time
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import User
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ProviderDevice, SingleSignOn
from accounts.oidc import Identity
from accounts.selectors import person_for_identity, provider_vouches_for_second_factor
from audit.models import Action
from audit.services import Origin, record_event

RECOVERY_CODE_COUNT = 10
# django-otp makes recovery codes of 8 letters and digits (5 random bytes in base32).
RECOVERY_CODE_LENGTH = 8
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
    """The second factors the person holds: app, recovery codes, passkeys.
    (A provider's two-factor sign-in is a django-otp device too, but nothing
    the person holds or can use on the code page.)"""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, ProviderDevice)
    ]


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


@dataclass(frozen=True)
class SignedIn:
    """A person the provider named, and the second factor it vouched for
    (None: they enter a Front Door security code next, as with a password)."""

    user: User
    device: ProviderDevice | None


def accept_single_sign_on(
    *, single_sign_on: SingleSignOn, identity: Identity, origin: Origin
) -> SignedIn:
    """Who signs in, from the provider's checked answer, with the audit of
    it; raises accounts.selectors.PersonRefused for anyone Front Door must
    not let in (the caller audits that with refuse_single_sign_on)."""
    user = person_for_identity(single_sign_on=single_sign_on, identity=identity)
    vouched = provider_vouches_for_second_factor(single_sign_on=single_sign_on, identity=identity)
    with transaction.atomic():
        device = None
        if vouched:
            device, _ = ProviderDevice.objects.get_or_create(
                user=user,
                single_sign_on=single_sign_on,
                defaults={"name": single_sign_on.provider_name[:64], "confirmed": True},
            )
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        record_event(
            actor=user,
            action=Action.SINGLE_SIGN_ON,
            object_type="user",
            object_ref=user.get_username(),
            origin=origin,
            detail={
                "agency": single_sign_on.agency.name,
                **identity.for_audit(),
                "second_factor": "provider" if vouched else "front door security code",
            },
        )
        if vouched:
            record_event(
                actor=user,
                action=Action.TWO_FACTOR_PASSED,
                object_type="user",
                object_ref=user.get_username(),
                origin=origin,
                detail={
                    "method": f"organisation sign-in ({single_sign_on.provider_name})",
                    "amr": list(identity.amr),
                    "acr": identity.acr,
                },
            )
    return SignedIn(user=user, device=device)


def refuse_single_sign_on(
    *,
    single_sign_on: SingleSignOn | None,
    reason: str,
    identity: Identity | None,
    origin: Origin,
) -> None:
    """Audit a sign-in through a provider that Front Door refused: a person
    it does not know or cannot let in, or an answer it cannot trust."""
    record_event(
        actor=None,
        action=Action.SINGLE_SIGN_ON_REFUSED,
        object_type="agency",
        object_ref=single_sign_on.agency.name[:64] if single_sign_on is not None else "",
        origin=origin,
        detail={"reason": reason, **(identity.for_audit() if identity is not None else {})},
    )


def withdraw_provider_second_factor(*, single_sign_on: SingleSignOn) -> int:
    """When an agency stops accepting its provider's two-factor sign-in (or
    single sign-on altogether), anyone verified that way is asked for a
    Front Door security code on their next page: django-otp's middleware
    does not count an unconfirmed device."""
    withdrawn: int = ProviderDevice.objects.filter(
        single_sign_on=single_sign_on, confirmed=True
    ).update(confirmed=False)
    return withdrawn
