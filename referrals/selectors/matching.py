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

from django.db.models import Q
from django.http import Http404
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from referrals.models import Child, LinkStatus, Referral, ReferralLink, Transfer
from referrals.references import normalise_reference

CANDIDATE_LIMIT = 200


def normalise_name(name: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces, single spaces."""
    # Separators first: folding to ASCII would drop the typographic apostrophe.
    plain = re.sub(r"[-'’.]", " ", unicodedata.normalize("NFKD", name))
    plain = plain.encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z ]", "", plain).split())


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
    close = lambda x, y: DamerauLevenshtein.distance(x, y) <= (1 if max(len(x), len(y)) <= 6 else 2)  # noqa: E731
    if close(fa, fb) and close(la, lb):
        return True
    if close(fa, lb) and close(la, fb):  # names entered the other way round
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


def linked_front_doors(referral: Referral) -> set[int]:
    """The front doors whose earlier referrals are searched for this one: its
    own, and every front door a transfer of it passed through (a family that
    moved carries its history with it: Child BF, Child S)."""
    doors = {referral.front_door_id}
    for from_id, to_id in Transfer.objects.filter(referral_id=referral.pk).values_list(
        "from_front_door_id", "to_front_door_id"
    ):
        doors.add(from_id)
        if to_id is not None:
            doors.add(to_id)
    return doors


def _at_linked_front_doors(referral: Referral, column: str) -> Q:
    """`linked_front_doors` as subqueries, so the search stays one query."""
    moves = Transfer.objects.filter(referral_id=referral.pk)
    return (
        Q(**{column: referral.front_door_id})
        | Q(**{f"{column}__in": moves.values("from_front_door_id")})
        | Q(
            **{
                f"{column}__in": moves.filter(to_front_door__isnull=False).values(
                    "to_front_door_id"
                )
            }
        )
    )


def get_earlier_for_link(referral: Referral, reference: str) -> Referral:
    """An earlier referral a worker may link to this one: received before it
    at one of its linked front doors. 404 for anything else, as for a
    referral nobody may see."""
    canonical = normalise_reference(reference)
    earlier = (
        Referral.objects.filter(
            reference=canonical,
            front_door_id__in=linked_front_doors(referral),
            received_at__lt=referral.received_at,
        )
        .exclude(pk=referral.pk)
        .first()
        if canonical
        else None
    )
    if earlier is None:
        raise Http404("No referral with that reference")
    return earlier


def earlier_history(referral: Referral) -> list[Match]:
    """Earlier referrals to the same front door, or to a front door a transfer
    of this referral links, that may be about the same child or household,
    strongest first; rejected ones are left out.

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
            _at_linked_front_doors(referral, "referral__front_door_id"),
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
