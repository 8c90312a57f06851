"""Human-readable referral references with a check character.

Format: ``FD-XXXX-XXXC`` — seven random Crockford base-32 symbols and one
check symbol (Crockford's mod-37 check), grouped in fours so a person can read
it over the phone. Crockford's alphabet has no I, L, O or U, so 1/I, 0/O mix-ups
are folded back when a reference is typed in, and a single mistyped symbol or
swapped neighbours are caught by the check.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
PREFIX = "FD"
BODY_LENGTH = 7
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_TYPING_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_symbol(body: str) -> str:
    total = 0
    for symbol in body:
        total = total * 32 + _VALUES[symbol]
    return CHECK_ALPHABET[total % 37]


def format_reference(body: str) -> str:
    full = body + check_symbol(body)
    return f"{PREFIX}-{full[:4]}-{full[4:]}"


def new_reference() -> str:
    # Crockford's check has five extra symbols (*~$=U) for values 32-36. They
    # are awkward to read out and to put in a link, so only bodies whose
    # check is a plain letter or digit are issued; the check is unchanged.
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        if check_symbol(body) in ALPHABET:
            return format_reference(body)


def normalise_reference(text: str) -> str | None:
    """The canonical reference for what someone typed, or None if it cannot be one.

    Accepts any case, spaces or missing dashes, and O/I/L typed for 0/1.
    """
    compact = "".join(ch for ch in text.upper() if ch.isalnum() or ch in "*~$=")
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != BODY_LENGTH + 1:
        return None
    body = compact[:BODY_LENGTH].translate(_TYPING_FIXES)
    if any(symbol not in _VALUES for symbol in body):
        return None
    # The check may be O, I or L typed for 0 or 1 too (U, a check symbol of its
    # own, is left as it is).
    check = compact[BODY_LENGTH:].translate(_TYPING_FIXES)
    if check_symbol(body) != check:
        return None
    return format_reference(body)
