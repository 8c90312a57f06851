"""Secrets the portal must read back (a webhook's signing secret, to sign
with) are kept encrypted, so a copy of the database alone does not hand them
over. Fernet (AES with an HMAC) from the `cryptography` package, with a key
derived from FIELD_ENCRYPTION_KEY (or SECRET_KEY where that is not set: set
it, so that SECRET_KEY can be changed without losing these)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

PREFIX = "fernet:"


def _fernet() -> Fernet:
    material = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(f"front-door field encryption:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plain: str) -> str:
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The secret; a value stored before encryption came in is read as it is."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "A stored secret cannot be read: FIELD_ENCRYPTION_KEY (or SECRET_KEY) has changed"
        ) from exc
