"""Finding earlier referrals about the same child or household.

Serious case reviews keep finding that history was there but not found
(Plymouth lessons 5 and 6; Family T; Child S). At triage, earlier referrals to
the same front door are suggested by NHS number exactly, by a similar name and
the same date of birth (typos, names in the other order, hyphens), and by the
same address. A worker confirms or rejects each suggestion; the decision is
kept. Link, never merge.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from anyascii import anyascii
from django.db.models import Q
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from referrals.models import Child, LinkStatus, Referral, ReferralLink

CANDIDATE_LIMIT = 200


def normalise_name(name: str) -> str:
    """Lower case, no accents, other scripts in Latin letters, hyphens and
    apostrophes as spaces, single spaces."""
    # Separators first: folding to ASCII would drop the typographic apostrophe.
    plain = re.sub(r"[-'’.]", " ", unicodedata.normalize("NFKC", name))
    # "Zoë" -> "Zoe", "Мария" -> "Mariya": a name written in its own script
    # by one agency and in Latin letters by another is still found.
    plain = anyascii(plain).casefold()
    return " ".join(re.sub(r"[^a-z ]", "", plain).split())


def spelled_alike(x: str, y: str) -> bool:
    """One typo in a short name, two in a long one (a swap of two letters is one)."""
    return DamerauLevenshtein.distance(x, y) <= (1 if max(len(x), len(y)) <= 6 else 2)


_NICKNAMES = NickNamer()


def name_variants(token: str) -> set[str]:
    """A name and its nicknames or formal forms ("bill", "william", "will")."""
    variants = {token}
    if len(token) >= 2:
        variants |= _NICKNAMES.nicknames_of(token) | _NICKNAMES.canonicals_of(token)
    return {normalise_name(v) for v in variants if v}


def tokens_match(wanted: str, token: str) -> bool:
    """One word of a searched name against one word of a recorded name."""
    if wanted == token or (len(wanted) >= 3 and spelled_alike(wanted, token)):
        return True
    return token in name_variants(wanted)


def name_fits_search(searched: str, first_name: str, last_name: str) -> bool:
    """Whether a recorded name is what someone searching for `searched` may
    mean: every word they typed is a word of the name, in any order, allowing
    typos and nicknames; a double-barrelled name may be typed as one word."""
    wanted = normalise_name(searched).split()
    words = normalise_name(f"{first_name} {last_name}").split()
    if not wanted or not words:
        return False
    joined = "".join(words)
    if len(wanted) > 1 and "".join(wanted) == joined:
        return True
    unused = list(words)
    for word in wanted:
        hit = next((w for w in unused if tokens_match(word, w)), None)
        if hit is None:
            # "Smithjones" typed for "Smith-Jones", or the other way round.
            if len(word) >= 6 and spelled_alike(word, joined):
                continue
            return False
        unused.remove(hit)
    return True


def names_match(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Same person's name, allowing one typo per name, swapped order and hyphenation."""
    a = normalise_name(f"{first_a} {last_a}")
    b = normalise_name(f"{first_b} {last_b}")
    if not a or not b:
        return False
    if sorted(a.split()) == sorted(b.split()) or a.replace(" ", "") == b.replace(" ", ""):
        return True
    fa, la = normalise_name(first_a), normalise_name(last_a)
    fb, lb = normalise_name(first_b), normalise_name(last_b)
    if spelled_alike(fa, fb) and spelled_alike(la, lb):
        return True
    if spelled_alike(fa, lb) and spelled_alike(la, fb):  # names entered the other way round
        return True
    if la and la == lb and fb in name_variants(fa):  # "Bill" and "William"
        return True
    return fuzz.token_sort_ratio(a, b) >= 92


def addresses_match(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(normalise_name(a), normalise_name(b)) >= 90


@dataclass
class Match:
    earlier: Referral
    reasons: list[str] = field(default_factory=list)
    strength: int = 0
    status: str = ""  # "", or a LinkStatus once a worker has decided


def earlier_history(referral: Referral) -> list[Match]:
    """Earlier referrals to the same front door that may be about the same
    child or household, strongest first; rejected ones are left out.

    1. Pull candidate children with indexed lookups (NHS number, date of
       birth, postcode), capped, from referrals received before this one.
    2. Score each pair of children; group by earlier referral.
    3. Add links a worker already confirmed, and drop ones they rejected.
    """
    children = list(referral.children.all())
    nhs = {c.nhs_number for c in children if c.nhs_number}
    dobs = {c.date_of_birth for c in children if c.date_of_birth}
    postcodes = {c.postcode for c in children if c.postcode}
    lookup = Q(pk__in=[])
    if nhs:
        lookup |= Q(nhs_number__in=nhs)
    if dobs:
        lookup |= Q(date_of_birth__in=dobs)
    if postcodes:
        lookup |= Q(postcode__in=postcodes)
    candidates = (
        Child.objects.filter(
            lookup,
            referral__front_door_id=referral.front_door_id,
            referral__received_at__lt=referral.received_at,
        )
        .exclude(referral_id=referral.pk)
        .select_related("referral", "referral__sending_agency")
        .order_by("-referral__received_at")[:CANDIDATE_LIMIT]
    )
    matches: dict[int, Match] = {}
    for other in candidates:
        for child in children:
            reasons, strength = _compare(child, other)
            if reasons:
                match = matches.setdefault(other.referral_id, Match(earlier=other.referral))
                for reason in reasons:
                    if reason not in match.reasons:
                        match.reasons.append(reason)
                match.strength = max(match.strength, strength)
    decided = {
        link.earlier_id: link
        for link in ReferralLink.objects.filter(referral=referral).select_related("earlier")
    }
    for earlier_id, link in decided.items():
        if link.status == LinkStatus.CONFIRMED and earlier_id not in matches:
            matches[earlier_id] = Match(earlier=link.earlier, reasons=[link.reason], strength=3)
    result = []
    for earlier_id, match in matches.items():
        decision = decided.get(earlier_id)
        if decision and decision.status == LinkStatus.REJECTED:
            continue
        match.status = decision.status if decision else ""
        result.append(match)
    return sorted(
        result,
        key=lambda m: (
            m.status != LinkStatus.CONFIRMED,
            -m.strength,
            -m.earlier.received_at.timestamp(),
        ),
    )


def _compare(child: Child, other: Child) -> tuple[list[str], int]:
    reasons: list[str] = []
    strength = 0
    if child.nhs_number and child.nhs_number == other.nhs_number:
        reasons.append(f"Same NHS number ({child.nhs_number})")
        strength = 3
    same_name = names_match(child.first_name, child.last_name, other.first_name, other.last_name)
    if child.date_of_birth and child.date_of_birth == other.date_of_birth and same_name:
        reasons.append(f"Same date of birth and a similar name ({other.name})")
        strength = max(strength, 2)
    if (
        child.postcode
        and child.postcode == other.postcode
        and addresses_match(child.address, other.address)
    ):
        reasons.append(f"Same address ({other.postcode})")
        strength = max(strength, 1)
    return reasons, strength
