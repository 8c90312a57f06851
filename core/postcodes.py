"""UK postcodes: their shape, and the district and sector each belongs to.

A postcode such as "NB1 2AB" is in the sector "NB1 2" and the district
"NB1". Front doors cover postcodes at any of the three (agencies.selectors).
"""

from __future__ import annotations

import re

# The shape of a UK postcode (BS 7666), with or without the space.
POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9]|[ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) "
    "?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
# A district ("NB1", "SW1A") and a sector ("NB1 2") as an administrator types them.
DISTRICT_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
SECTOR_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")


def normalise_postcode(value: str) -> str | None:
    """'nb12ab' -> 'NB1 2AB'; None for anything that is not a full postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact or not POSTCODE_RE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_coverage(value: str) -> str | None:
    """A postcode, sector or district as stored for a front door's coverage
    ('nb1 2ab' -> 'NB1 2AB', 'nb1  2' -> 'NB1 2', ' nb1' -> 'NB1'), or None."""
    full = normalise_postcode(value)
    if full is not None:
        return full
    spaced = " ".join((value or "").upper().split())
    if DISTRICT_RE.match(spaced) or SECTOR_RE.match(spaced):
        return spaced
    compact = spaced.replace(" ", "")
    # "NB12" typed for the sector "NB1 2" cannot be told from the district
    # "NB12", so a sector needs its space; a district never has one.
    if DISTRICT_RE.match(compact) and " " not in spaced:
        return compact
    return None


def coverage_keys(postcode: str) -> list[str]:
    """The keys a postcode may be covered by, most specific first:
    'NB1 2AB' -> ['NB1 2AB', 'NB1 2', 'NB1']. Empty for a non-postcode."""
    full = normalise_postcode(postcode)
    if full is None:
        return []
    outward, inward = full.split(" ")
    return [full, f"{outward} {inward[0]}", outward]
