"""A passkey in software, for tests that have no browser.

It answers the WebAuthn options a Front Door page carries the way a real
authenticator answers navigator.credentials.create() and .get(): an ES256
key pair, "none" attestation, and signatures over the authenticator data and
the hash of the client data, as the WebAuthn Level 3 specification lays out.
The browser tests use Chromium's own virtual authenticator instead.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_CREDENTIAL = 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def options_on(page: str) -> dict[str, Any]:
    """The WebAuthn options the page's passkey form carries for the script."""
    found = re.search(r'data-options="([^"]*)"', page)
    assert found is not None, "the page offers no passkey"
    options: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return options


class SoftPasskey:
    def __init__(self, *, origin: str = "http://testserver", rp_id: str = "testserver") -> None:
        self.origin = origin
        self.rp_id = rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        # COSE_Key: EC2 (1: 2), ES256 (3: -7), P-256 (-1: 1), x and y.
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _authenticator_data(self, flags: int, *, attested: bool) -> bytes:
        data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
        )
        if attested:
            data += (
                bytes(16)  # AAGUID: none given
                + len(self.credential_id).to_bytes(2, "big")
                + self.credential_id
                + self._public_key()
            )
        return data

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict[str, Any]) -> str:
        """The answer to navigator.credentials.create(), as the page posts it."""
        assert options["rp"]["id"] == self.rp_id
        client_data = self._client_data("webauthn.create", options["challenge"])
        attestation = cbor2.dumps(
            {
                "fmt": "none",
                "attStmt": {},
                "authData": self._authenticator_data(
                    USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL, attested=True
                ),
            }
        )
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {"credProps": {"rk": True}},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal"],
                },
            }
        )

    def get(self, options: dict[str, Any]) -> str:
        """The answer to navigator.credentials.get(), as the page posts it."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"])
        authenticator_data = self._authenticator_data(USER_PRESENT, attested=False)
        signature = self.key.sign(
            authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(authenticator_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
            }
        )
