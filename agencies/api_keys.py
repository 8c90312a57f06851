"""Issuing, rotating, revoking and checking agency API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from agencies.models import Agency, ApiClient, Membership, Role
from audit.models import Action
from audit.services import Origin, record_event, record_repeated_refusal
from core.network import client_address
from core.throttling import failures_from

KEY_START = "fdk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key() -> tuple[str, str, str]:
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{KEY_START}_{prefix}_{secret}"


@transaction.atomic
def issue_api_key(*, agency: Agency, name: str, actor: User | None) -> tuple[ApiClient, str]:
    """A new client for an agency; returns it and the key, which is never shown again."""
    if agency.is_front_door:
        raise ValueError("API keys are for partner agencies' systems")
    prefix, secret, key = _new_key()
    user = get_user_model().objects.create_user(
        username=f"api-{prefix}", first_name=name[:150], last_name="(API)", password=None
    )
    Membership.objects.create(
        user=user, agency=agency, role=Role.AGENCY_SYSTEM, job_title="Record system"
    )
    client = ApiClient.objects.create(
        agency=agency,
        name=name,
        service_user=user,
        key_prefix=prefix,
        key_hash=_hash(secret),
        created_at=timezone.now(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=Action.TOKEN_ISSUED,
        object_type="api_client",
        object_ref=prefix,
        origin=Origin(via="admin"),
        detail={"agency": agency.name, "name": name},
    )
    return client, key


@transaction.atomic
def rotate_api_key(*, client: ApiClient, actor: User | None) -> str:
    """A new key for the same client; the old one stops working at once."""
    prefix, secret, key = _new_key()
    old = client.key_prefix
    ApiClient.objects.filter(pk=client.pk).update(
        key_prefix=prefix, key_hash=_hash(secret), rotated_at=timezone.now()
    )
    client.refresh_from_db()
    record_event(
        actor=actor,
        action=Action.TOKEN_ROTATED,
        object_type="api_client",
        object_ref=prefix,
        origin=Origin(via="admin"),
        detail={"replaced": old},
    )
    return key


@transaction.atomic
def revoke_api_key(*, client: ApiClient, actor: User | None) -> None:
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now)
    get_user_model().objects.filter(pk=client.service_user_id).update(is_active=False)
    record_event(
        actor=actor,
        action=Action.TOKEN_REVOKED,
        object_type="api_client",
        object_ref=client.key_prefix,
        origin=Origin(via="admin"),
    )


def client_for_key(key: str) -> ApiClient | None:
    """The active client a key belongs to, compared in constant time."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_START:
        return None
    client = (
        ApiClient.objects.select_related("service_user", "agency")
        .filter(key_prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, _hash(parts[2])):
        return None
    return client


def refuse_if_flooding(request: Any) -> None:
    """Before reading any credentials: an address that has sent
    AUTH_FAILURES_PER_MINUTE wrong ones this minute waits (429), unaudited."""
    if failures_from(client_address(request._request)) >= settings.AUTH_FAILURES_PER_MINUTE:
        raise exceptions.Throttled(
            wait=60, detail="Too many wrong keys from your address: wait a minute"
        )


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer fdk_...`. Every use is audited."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[User, ApiClient] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if (
            len(header) != 2
            or header[0] != self.keyword
            or not header[1].startswith(KEY_START + "_")
        ):
            return None
        refuse_if_flooding(request)
        client = client_for_key(header[1])
        if client is None or not client.service_user.is_active:
            record_repeated_refusal(
                request._request,
                object_type="api_client",
                object_ref=header[1].split("_")[1][:12] if "_" in header[1] else "",
                reason="unknown or revoked key",
            )
            raise exceptions.AuthenticationFailed("This API key is not valid or has been revoked")
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > dt.timedelta(minutes=1):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        record_event(
            actor=client.service_user,
            action=Action.API_KEY_USED,
            object_type="api_client",
            object_ref=client.key_prefix,
            origin=Origin.of(request._request, via="api"),
            detail={"method": request.method, "path": request.path[:200]},
        )
        return client.service_user, client

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the schema describes agency API keys."""

    target_class = "agencies.api_keys.ApiKeyAuthentication"
    name = "agencyApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "fdk_<prefix>_<secret>",
            "description": "An agency record system's key, issued by an administrator.",
        }
