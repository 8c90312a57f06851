"""OpenID Connect, the protocol side of single sign-on.

Authlib does the protocol: the authorization request (code flow, PKCE with
S256, state and nonce), the token request, and the ID token's claim rules;
joserfc (Authlib's JOSE library) checks the signature against the
provider's published keys. This module holds Front Door's rules about them:

1. Discovery: read `<issuer>/.well-known/openid-configuration`; its `issuer`
   must be exactly the configured one (OpenID Connect Discovery 4.3), and its
   endpoints must be https (plain http only to this machine, for trying it
   out and for the tests' provider).
2. Start: a fresh state, nonce and PKCE verifier for every attempt, kept in
   the person's session (`PendingSignIn`); only the code flow is ever asked
   for, so no token travels through the browser.
3. Finish: the state must match (in constant time) and be recent; a provider
   error, a missing code or another issuer (RFC 9207 `iss`) ends it; the code
   is redeemed with the verifier; the ID token must be signed with an
   asymmetric algorithm by a key in the provider's JWKS, and carry our issuer,
   our client as audience, our nonce and an expiry not passed.

It knows nothing of people or agencies: `Identity` is what the provider
said, for accounts.selectors to match to a person.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)

# Signatures by the provider's private key only: never "none", never HMAC
# with the client secret (anyone holding the secret could mint a token).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
HTTP_TIMEOUT_SECONDS = 10
# Clock skew allowed between us and the provider when checking exp and iat.
LEEWAY_SECONDS = 60
# A person has this long between leaving for the provider and coming back.
PENDING_SECONDS = 10 * 60
# Discovery documents and keys change rarely; a key we have not seen makes us
# fetch the keys again at once (the provider rotated them).
CACHE_SECONDS = 60 * 60


class ProtocolError(Exception):
    """The provider's answer cannot be used or trusted. `reason` is for the
    audit and the logs, never for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Client:
    """Front Door's registration with one provider."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str


@dataclass(frozen=True)
class PendingSignIn:
    """What the person's session keeps between leaving for the provider and
    coming back: never sent to the browser except the state, in the URL."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    started_at: float

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: object) -> PendingSignIn | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                state=str(data["state"]),
                nonce=str(data["nonce"]),
                code_verifier=str(data["code_verifier"]),
                redirect_uri=str(data["redirect_uri"]),
                started_at=float(data["started_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a checked ID token."""

    issuer: str
    subject: str
    email: str | None
    # None when the provider does not send the claim at all.
    email_verified: bool | None
    amr: tuple[str, ...]
    acr: str | None

    def for_audit(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "email": self.email,
            "email_verified": self.email_verified,
            "amr": list(self.amr),
            "acr": self.acr,
        }


def is_secure_url(url: str) -> bool:
    """https, or plain http to this machine only (loopback)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str) -> None:
    """Raise ValueError, worded for an administrator, if `issuer` cannot be one."""
    parts = urlsplit(issuer)
    if not is_secure_url(issuer):
        raise ValueError("The issuer must start with https://")
    if parts.query or parts.fragment:
        raise ValueError("The issuer cannot have a query (?) or fragment (#)")


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _cache_key(kind: str, url: str) -> str:
    # Addresses can be long and hold any character; cache keys should not.
    return f"oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def _cached(key: str) -> Any:
    # The cache is Redis in production: a sign-in must not fail because it
    # is down, it only costs the provider one more request.
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure means "not cached"
        logger.warning("Single sign-on: cache unavailable, reading %s afresh", key)
        return None


def _remember(key: str, value: Any) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - see _cached
        logger.warning("Single sign-on: cache unavailable, not keeping %s", key)


def _get_json(url: str) -> dict[str, Any]:
    try:
        # No redirects: the document must be where the issuer says it is.
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProtocolError(f"could not read {url}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{url} is not a JSON object")
    return data


def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked, from the cache if read lately."""
    key = _cache_key("metadata", issuer)
    cached = _cached(key)
    if isinstance(cached, dict):
        return cached
    metadata = _get_json(discovery_url(issuer))
    if metadata.get("issuer") != issuer:
        # A document naming another issuer would let that issuer's tokens in.
        raise ProtocolError(
            f"discovery names issuer {metadata.get('issuer')!r}, not the configured {issuer!r}"
        )
    checked = OpenIDProviderMetadata(metadata)
    try:
        checked.validate_authorization_endpoint()
        checked.validate_token_endpoint()
        checked.validate_jwks_uri()
    except ValueError as exc:
        raise ProtocolError(f"discovery document refused: {exc}") from exc
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(name), str) or not is_secure_url(metadata[name]):
            raise ProtocolError(f"discovery document has no usable {name}")
    _remember(key, metadata)
    return metadata


def _key_set(jwks_uri: str, *, refresh: bool) -> KeySet:
    key = _cache_key("jwks", jwks_uri)
    data = None if refresh else _cached(key)
    if not isinstance(data, dict):
        data = _get_json(jwks_uri)
        _remember(key, data)
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProtocolError(f"the provider's keys could not be read: {exc}") from exc


def _session(client: Client, *, redirect_uri: str, auth_method: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=client.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
        default_timeout=HTTP_TIMEOUT_SECONDS,
    )


def _auth_method(metadata: Mapping[str, Any]) -> str:
    # client_secret_basic is the default when a provider lists none (OpenID
    # Connect Discovery 3); some providers take only client_secret_post.
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in supported:
        return "client_secret_basic"
    if "client_secret_post" in supported:
        return "client_secret_post"
    raise ProtocolError(f"the provider takes no client secret ({supported})")


def start_sign_in(
    *, client: Client, redirect_uri: str, login_hint: str = ""
) -> tuple[str, PendingSignIn]:
    """The provider's address to send the person to, and what to keep in
    their session until they come back."""
    metadata = provider_metadata(client.issuer)
    pending = PendingSignIn(
        state=generate_token(32),
        nonce=generate_token(32),
        # RFC 7636: 43 to 128 characters.
        code_verifier=generate_token(64),
        redirect_uri=redirect_uri,
        started_at=time.time(),
    )
    extra = {"login_hint": login_hint} if login_hint else {}
    session = _session(client, redirect_uri=redirect_uri, auth_method="client_secret_basic")
    with session:
        url, _ = session.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending.state,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
            response_type="code",
            **extra,
        )
    return url, pending


def finish_sign_in(
    *, client: Client, pending: PendingSignIn | None, params: Mapping[str, str]
) -> Identity:
    """Check the provider's answer (the callback's query) and redeem its code
    for a checked ID token."""
    state = params.get("state") or ""
    if pending is None:
        raise ProtocolError("no sign-in was started in this session")
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise ProtocolError("state did not match")
    if time.time() - pending.started_at > PENDING_SECONDS:
        raise ProtocolError("the person took too long at the provider")
    if "iss" in params and params["iss"] != client.issuer:
        # RFC 9207: the answer came from another provider (a mix-up attack).
        raise ProtocolError(f"answer from issuer {params['iss']!r}")
    if params.get("error"):
        raise ProtocolError(f"the provider answered {params['error']!r}")
    code = params.get("code")
    if not code:
        raise ProtocolError("no authorization code")

    metadata = provider_metadata(client.issuer)
    session = _session(
        client, redirect_uri=pending.redirect_uri, auth_method=_auth_method(metadata)
    )
    try:
        with session:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
            )
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        raise ProtocolError(f"the code was not redeemed: {exc}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProtocolError("the provider sent no ID token")
    return _identity(
        client=client, metadata=metadata, id_token=id_token, token=token, pending=pending
    )


def _decode(id_token: str, jwks_uri: str) -> jwt.Token:
    try:
        try:
            return jwt.decode(id_token, _key_set(jwks_uri, refresh=False), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # A key we have not seen: the provider has rotated its keys.
            return jwt.decode(id_token, _key_set(jwks_uri, refresh=True), algorithms=ALGORITHMS)
    except JoseError as exc:
        raise ProtocolError(f"ID token signature not valid: {exc.error}") from exc
    except ValueError as exc:
        raise ProtocolError(f"ID token not readable: {exc}") from exc


def _identity(
    *,
    client: Client,
    metadata: Mapping[str, Any],
    id_token: str,
    token: Mapping[str, Any],
    pending: PendingSignIn,
) -> Identity:
    decoded = _decode(id_token, metadata["jwks_uri"])
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": client.issuer},
            "aud": {"essential": True, "value": client.client_id},
            "sub": {"essential": True},
        },
        {
            "nonce": pending.nonce,
            "client_id": client.client_id,
            "access_token": token.get("access_token"),
        },
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except JoseError as exc:
        raise ProtocolError(
            f"ID token refused: {exc.error} {exc.description or ''}".strip()
        ) from exc
    email = claims.get("email")
    amr = claims.get("amr") or []
    acr = claims.get("acr")
    return Identity(
        issuer=client.issuer,
        subject=str(claims["sub"]),
        email=email.strip() if isinstance(email, str) and email.strip() else None,
        email_verified=_as_bool(claims.get("email_verified")),
        amr=tuple(str(method) for method in amr) if isinstance(amr, list) else (),
        acr=str(acr) if acr is not None else None,
    )


def _as_bool(value: object) -> bool | None:
    # Some providers send "true"/"false" as strings.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None
