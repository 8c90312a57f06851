"""Personal API tokens: issued only after a fresh second factor, shown once,
kept as a hash, and never open-ended.

    Authorization: Token fdp_<prefix>_<secret>

A token expires PERSONAL_TOKEN_MAX_DAYS after it is made at the latest, and
stops working if unused for PERSONAL_TOKEN_IDLE_DAYS, as a session does. A
person who leaves (no active membership, or switched off) loses every token's
use at once, because access is worked out from memberships at each request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import PersonalToken
from agencies.api_keys import refuse_if_flooding
from audit.models import Action
from audit.services import Origin, record_event, record_repeated_refusal

KEY_START = "fdp"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_personal_token(
    *, user: User, name: str, days: int, origin: Origin
) -> tuple[PersonalToken, str]:
    """A new token; returns it and the key, which is never shown again. The
    caller has checked that the person confirmed a second factor just now."""
    days = max(1, min(days, settings.PERSONAL_TOKEN_MAX_DAYS))
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = PersonalToken.objects.create(
            user=user,
            name=name.strip()[:100] or "API token",
            key_prefix=prefix,
            key_hash=_hash(secret),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        record_event(
            actor=user,
            action=Action.TOKEN_ISSUED,
            object_type="personal_token",
            object_ref=prefix,
            origin=origin,
            detail={"name": token.name, "days": days},
        )
    return token, f"{KEY_START}_{prefix}_{secret}"


def revoke_personal_token(*, token: PersonalToken, actor: User, origin: Origin) -> None:
    with transaction.atomic():
        PersonalToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        record_event(
            actor=actor,
            action=Action.TOKEN_REVOKED,
            object_type="personal_token",
            object_ref=token.key_prefix,
            origin=origin,
        )


def tokens_of(user: User) -> list[PersonalToken]:
    return list(PersonalToken.objects.filter(user=user, revoked_at__isnull=True)[:50])


def token_for_key(key: str, *, now: dt.datetime) -> PersonalToken | None:
    """The usable token a key belongs to, compared in constant time."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_START:
        return None
    token = PersonalToken.objects.select_related("user").filter(key_prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(parts[2])):
        return None
    idle = dt.timedelta(days=settings.PERSONAL_TOKEN_IDLE_DAYS)
    return token if token.is_usable(now, idle=idle) and token.user.is_active else None


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token fdp_...`, a person's own token."""

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[User, PersonalToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if len(header) != 2 or header[0] != self.keyword:
            return None
        refuse_if_flooding(request)
        now = timezone.now()
        token = token_for_key(header[1], now=now)
        if token is None:
            record_repeated_refusal(
                request._request,
                object_type="personal_token",
                object_ref=header[1].split("_")[1][:12] if header[1].count("_") >= 2 else "",
                reason="unknown, expired or revoked token",
            )
            raise exceptions.AuthenticationFailed(
                "This token is not valid: it may have expired or been revoked"
            )
        # Written at most once a minute: the idle time-out needs no finer.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.tokens.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A person's own token: `Token fdp_...` (made under Your account).",
        }
