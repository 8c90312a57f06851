"""Passkeys (WebAuthn) as a second factor: adding one, using one, removing one.

django-otp-webauthn keeps each passkey as a django-otp device, so
`user.is_verified()` and the SecondFactorMiddleware treat a passkey like the
authenticator app, and its helper makes and checks the WebAuthn ceremonies
with py_webauthn. Front Door uses neither its JSON views nor its scripts: our
pages post an ordinary form that static/js/passkeys.mjs fills in with the
browser's answer, so a refusal comes back as a GOV.UK error summary, and every
add, use and removal is audited here, in the same transaction as the change.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.settings import app_settings
from webauthn.helpers.exceptions import WebAuthnException

from audit.models import Action
from audit.services import Origin, record_event

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 64  # django-otp's Device.name
# A browser's answer is a few kilobytes at most; anything longer is not one.
ANSWER_MAX_LENGTH = 32_000
REGISTER_STATE_KEY = "passkey_register_state"
SIGN_IN_STATE_KEY = "passkey_sign_in_state"


class PasskeyRefused(Exception):
    """The browser's answer did not prove a passkey of this person's."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LastSecondFactor(Exception):
    """Removing this would leave the person no way to finish signing in."""


class PasskeyNotFound(LookupError):
    """No such passkey of this person's (perhaps removed in another tab)."""


def passkeys_for(*, user: User) -> list[WebAuthnCredential]:
    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")
    )


def has_passkey(*, user: User) -> bool:
    found: bool = WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    return found


def has_app(*, user: User) -> bool:
    found: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return found


def passkey_of(*, user: User, passkey_id: int) -> WebAuthnCredential | None:
    """One of the person's own passkeys; anyone else's is None, as is one
    that does not exist."""
    passkey: WebAuthnCredential | None = WebAuthnCredential.objects.filter(
        user=user, pk=passkey_id, confirmed=True
    ).first()
    return passkey


def can_remove_passkey(*, user: User) -> bool:
    """Whether a passkey could go and leave the app or another passkey."""
    return has_app(user=user) or passkey_count(user=user) > 1


def passkey_count(*, user: User) -> int:
    count: int = WebAuthnCredential.objects.filter(user=user, confirmed=True).count()
    return count


def passkey_address() -> str:
    """Where passkeys work (the first allowed origin), to tell people."""
    origins: list[str] = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    return origins[0] if origins else settings.PORTAL_BASE_URL


def passkeys_work_at(request: HttpRequest) -> bool:
    """Whether this page's address is one the passkeys answer. A passkey made
    for localhost does nothing at 127.0.0.1, and the browser would give only a
    puzzling error: such a page says where to go instead."""
    origins: list[str] = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    return f"{request.scheme}://{request.get_host()}" in origins


def _helper(request: HttpRequest) -> WebAuthnHelper:
    helper: WebAuthnHelper = WebAuthnCredential.get_webauthn_helper(request=request)
    return helper


def _keep_state(request: HttpRequest, key: str, state: dict[str, Any]) -> None:
    request.session[key] = {**state, "issued_at": time.time()}


def _take_state(request: HttpRequest, key: str) -> dict[str, Any]:
    """The challenge given to this session, taken out before anything is
    checked so that no answer is accepted twice, and refused once the browser
    itself would have given up."""
    state = request.session.pop(key, None)
    # Saved now, as django-otp-webauthn does: even if the check below fails
    # with an error, the challenge is gone.
    request.session.save()
    if not isinstance(state, dict):
        raise PasskeyRefused("no challenge")
    age = time.time() - float(state.get("issued_at", 0))
    if age > app_settings.OTP_WEBAUTHN_TIMEOUT_SECONDS:
        raise PasskeyRefused("challenge expired")
    return state


def _answer(credential: str) -> dict[str, Any]:
    if len(credential) > ANSWER_MAX_LENGTH:
        raise PasskeyRefused("answer too long")
    try:
        data = json.loads(credential)
    except ValueError as exc:
        raise PasskeyRefused("answer not JSON") from exc
    if not isinstance(data, dict):
        raise PasskeyRefused("answer not an object")
    return data


def registration_options(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """What the browser needs to make a passkey for this person. The
    challenge waits in the session for the answer."""
    options: dict[str, Any]
    options, state = _helper(request).register_begin(user=user)
    _keep_state(request, REGISTER_STATE_KEY, state)
    return options


def add_passkey(
    *, request: HttpRequest, user: User, name: str, credential: str, origin: Origin
) -> WebAuthnCredential:
    """Check the browser's answer to registration_options and keep the new
    passkey under the name the person gave it."""
    state = _take_state(request, REGISTER_STATE_KEY)
    data = _answer(credential)
    try:
        with transaction.atomic():
            passkey: WebAuthnCredential = _helper(request).register_complete(
                user=user, state=state, data=data
            )
            passkey.name = name
            passkey.save(update_fields=["name"])
            record_event(
                actor=user,
                action=Action.PASSKEY_ADDED,
                object_type="user",
                object_ref=user.get_username(),
                origin=origin,
                detail={"passkey": name, "passkey_id": passkey.pk},
            )
    except IntegrityError as exc:  # the same passkey twice (one credential id)
        raise PasskeyRefused("already added") from exc
    except (OTPWebAuthnApiError, WebAuthnException, ValueError) as exc:
        log.info("Passkey not added for %s: %r", user.get_username(), exc)
        raise PasskeyRefused("registration not proved") from exc
    return passkey


def sign_in_options(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """What the browser needs to ask for one of this person's passkeys."""
    # The password has been checked: the passkey is the second factor, so
    # touching the key is enough, as with a code from the app. Asking for the
    # key's PIN or fingerprint too is the key's choice.
    options: dict[str, Any]
    options, state = _helper(request).authenticate_begin(user=user, require_user_verification=False)
    _keep_state(request, SIGN_IN_STATE_KEY, state)
    return options


def use_passkey(
    *, request: HttpRequest, user: User, credential: str, origin: Origin
) -> WebAuthnCredential:
    """Check the browser's answer to sign_in_options: the person's passkey
    signed this session's challenge. Audited whichever way it goes."""
    try:
        state = _take_state(request, SIGN_IN_STATE_KEY)
        data = _answer(credential)
        try:
            with transaction.atomic():
                # Also records the new signature count and when it was used.
                passkey: WebAuthnCredential = _helper(request).authenticate_complete(
                    user=user, state=state, data=data
                )
        except (OTPWebAuthnApiError, WebAuthnException, ValueError) as exc:
            log.info("Passkey refused for %s: %r", user.get_username(), exc)
            raise PasskeyRefused(getattr(exc, "code", "") or "signature not proved") from exc
        if not passkey.confirmed:
            raise PasskeyRefused("passkey not confirmed")
    except PasskeyRefused as refused:
        record_event(
            actor=user,
            action=Action.TWO_FACTOR_FAILED,
            object_type="user",
            object_ref=user.get_username(),
            origin=origin,
            detail={"method": "passkey", "reason": refused.reason},
        )
        raise
    record_event(
        actor=user,
        action=Action.TWO_FACTOR_PASSED,
        object_type="user",
        object_ref=user.get_username(),
        origin=origin,
        detail={"method": "passkey", "passkey": passkey.name, "passkey_id": passkey.pk},
    )
    return passkey


def _lock_person(user: User) -> None:
    # Removals by one person wait for each other, so two at once (two tabs)
    # cannot each leave the other's factor as the last and take both.
    User.objects.select_for_update().filter(pk=user.pk).first()


def remove_passkey(*, user: User, passkey_id: int, origin: Origin) -> str:
    """Remove one of the person's passkeys and return its name. Refused if
    it is their last way to finish signing in (no app, no other passkey)."""
    with transaction.atomic():
        _lock_person(user)
        passkey = passkey_of(user=user, passkey_id=passkey_id)
        if passkey is None:
            raise PasskeyNotFound
        if not can_remove_passkey(user=user):
            raise LastSecondFactor
        name: str = passkey.name
        passkey.delete()
        record_event(
            actor=user,
            action=Action.PASSKEY_REMOVED,
            object_type="user",
            object_ref=user.get_username(),
            origin=origin,
            detail={"passkey": name, "passkey_id": passkey_id},
        )
    return name


def remove_app(*, user: User, origin: Origin) -> None:
    """Remove the person's authenticator app. Refused unless they have a
    passkey to finish signing in with instead."""
    with transaction.atomic():
        _lock_person(user)
        if not has_passkey(user=user):
            raise LastSecondFactor
        TOTPDevice.objects.filter(user=user).delete()
        record_event(
            actor=user,
            action=Action.AUTHENTICATOR_REMOVED,
            object_type="user",
            object_ref=user.get_username(),
            origin=origin,
        )


def a_second_factor(*, user: User) -> Device | None:
    """The app, or else the first passkey: one the person still has."""
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is not None:
        return app
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk").first()
