"""Finding earlier referrals about the same child or household.

Serious case reviews keep finding that history was there but not found
(Plymouth lessons 5 and 6; Family T; Child S). At triage, earlier referrals to
the same front door are suggested by NHS number exactly, by a similar name and
the same date of birth (typos, names in the other order, hyphens), and by the
same address. A worker confirms or rejects each suggestion; the decision is
kept. Link, never merge.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from anyascii import anyascii
from django.db.models import Q
from django.http import Http404
from nicknames import NickNamer
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from referrals.models import (
    Adult,
    Child,
    LinkStatus,
    Referral,
    ReferralLink,
    Relationship,
    Transfer,
)
from referrals.references import normalise_reference

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


def consonants(word: str) -> str:
    """The word without vowels or doubled letters: "muhammad" and "mohamed"
    are both "mhmd". Names written from another script differ mostly in
    their vowels."""
    skeleton = re.sub(r"[aeiouy]", "", word)
    return re.sub(r"(.)\1+", r"\1", skeleton)


def tokens_match(wanted: str, token: str) -> bool:
    """One word of a searched name against one word of a recorded name:
    the same, one or two typos, a nickname, or the same consonants (a
    transliteration). For searching, where finding too much is safer than
    missing a family; linking records uses the stricter names_match."""
    if wanted == token or (len(wanted) >= 3 and spelled_alike(wanted, token)):
        return True
    if len(wanted) >= 5 and wanted[0] == token[0] and consonants(wanted) == consonants(token):
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


def normalise_address(address: str) -> list[str]:
    """Words and numbers of an address, lower case, in Latin letters."""
    plain = anyascii(unicodedata.normalize("NFKC", address)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).split()


def addresses_match(a: str, b: str) -> bool:
    """The same address, allowing punctuation, a typo and the town left off;
    never two house numbers (14 and 15 Canal Row are two households)."""
    words_a, words_b = normalise_address(a), normalise_address(b)
    numbers_a = {w for w in words_a if any(c.isdigit() for c in w)}
    numbers_b = {w for w in words_b if any(c.isdigit() for c in w)}
    if numbers_a and numbers_b and not (numbers_a <= numbers_b or numbers_b <= numbers_a):
        return False
    return fuzz.token_set_ratio(" ".join(words_a), " ".join(words_b)) >= 90


# A baby is suggested as an earlier referral's unborn baby when born from
# 17 weeks before its due date (born at 23 weeks) to 4 weeks after it.
BORN_BEFORE_DUE = dt.timedelta(weeks=17)
BORN_AFTER_DUE = dt.timedelta(weeks=4)


@dataclass
class Match:
    """Another referral that may be about the same child, family or household."""

    other: Referral
    reasons: list[str] = field(default_factory=list)
    strength: int = 0
    status: str = ""  # "", or a LinkStatus once a worker has decided
    later: bool = False  # received after the referral being looked at

    @property
    def earlier(self) -> Referral:
        return self.other

    def add(self, reason: str, strength: int) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.strength = max(self.strength, strength)


def linked_front_doors(referral: Referral) -> set[int]:
    """The front doors whose referrals are searched for this one: its own,
    and every front door a transfer of it passed through (a family that
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


def get_related_for_link(referral: Referral, reference: str) -> Referral:
    """Another referral a worker may link to this one, earlier or later: at
    one of its linked front doors. 404 for anything else, as for a referral
    nobody may see."""
    canonical = normalise_reference(reference)
    other = (
        Referral.objects.filter(reference=canonical, front_door_id__in=linked_front_doors(referral))
        .exclude(pk=referral.pk)
        .first()
        if canonical
        else None
    )
    if other is None:
        raise Http404("No referral with that reference")
    return other


def earlier_history(referral: Referral) -> list[Match]:
    """Referrals received before this one that may be about the same child,
    family or household (related_history, earlier ones only)."""
    return [m for m in related_history(referral) if not m.later]


def related_history(referral: Referral) -> list[Match]:
    """Other referrals to the same front door, earlier or later, that may be
    about the same child, the same parents or the same household, strongest
    first; rejected ones are left out. Serious case reviews found parents'
    own histories unread (Rapid Review A2: both parents were known to
    children's social care as children) and a pre-birth referral not found
    once the twins were born (Family T).

    1. Pull candidate children and adults with indexed lookups (NHS number,
       date of birth, postcode, a due date near a child's birthday, an
       adult's last name), capped, from the front door's other referrals.
    2. Score each pair: child and child (NHS number, name and date of
       birth, address); adult and adult (name and date of birth, or name
       and address, never two dates of birth); an adult here who was a
       child there, and the other way round; a baby born near the due date
       of an unborn baby with the same mother; another child with the same
       mother (the household).
    3. Add links a worker already confirmed, either way round, and drop
       ones they rejected.
    """
    children = list(referral.children.all())
    adults = list(referral.adults.all())
    home = _home_of(children[0]) if children else ""
    matches: dict[int, Match] = {}

    def match_for(other: Referral) -> Match:
        return matches.setdefault(
            other.pk, Match(other=other, later=other.received_at > referral.received_at)
        )

    # 1. Candidates.
    other_children = _candidate_children(referral, children, adults)
    other_adults = _candidate_adults(referral, children, adults)
    mothers_there = _mothers_of({c.referral_id for c in other_children if c.is_unborn})
    children_there = _children_of({a.referral_id for a in other_adults})
    our_mothers = [a for a in adults if a.relationship == Relationship.MOTHER]

    # 2. Pairs.
    for other in other_children:
        for child in children:
            reasons, strength = _compare(child, other)
            for reason in reasons:
                match_for(other.referral).add(reason, strength)
            mothers = mothers_there.get(other.referral_id, [])
            reason = _born_as_unborn(child, other, our_mothers, mothers, home)
            if reason:
                match_for(other.referral).add(reason, 2)
        for adult in adults:
            if _same_person_by_birth(adult, other):
                match_for(other.referral).add(
                    f"{adult.name} ({adult.get_relationship_display().lower()} here) is in it "
                    "as a child: a similar name and the same date of birth",
                    2,
                )
    for other_adult in other_adults:
        for adult in adults:
            theirs = children_there.get(other_adult.referral_id, [])
            how = _same_adult(adult, home, other_adult, _home_of(theirs[0]) if theirs else "")
            if not how:
                continue
            here = adult.get_relationship_display().lower()
            there = other_adult.get_relationship_display().lower()
            if adult.relationship == Relationship.MOTHER == other_adult.relationship:
                names = ", ".join(c.name for c in theirs) or "no child named"
                reason = f"The same mother, {adult.name} ({how}): about {names}"
            else:
                reason = f"{adult.name} ({here} here) is in it as {there} ({how})"
            match_for(other_adult.referral).add(reason, 2 if "date of birth" in how else 1)
        for child in children:
            if _same_person_by_birth(other_adult, child):
                there = other_adult.get_relationship_display().lower()
                match_for(other_adult.referral).add(
                    f"{child.name} (a child here) is in it as {there}: a similar name and "
                    "the same date of birth",
                    2,
                )

    # 3. What workers decided, either way round.
    decided = {}
    for link in ReferralLink.objects.filter(
        Q(referral=referral) | Q(earlier=referral)
    ).select_related("referral", "earlier", "referral__sending_agency", "earlier__sending_agency"):
        linked = link.earlier if link.referral_id == referral.pk else link.referral
        decided[linked.pk] = link
        if link.status == LinkStatus.CONFIRMED and linked.pk not in matches:
            match_for(linked).add(link.reason, 3)
    result = []
    for other_id, match in matches.items():
        decision = decided.get(other_id)
        if decision and decision.status == LinkStatus.REJECTED:
            continue
        match.status = decision.status if decision else ""
        result.append(match)
    return sorted(
        result,
        key=lambda m: (
            m.status != LinkStatus.CONFIRMED,
            -m.strength,
            -m.other.received_at.timestamp(),
        ),
    )


def _candidate_children(
    referral: Referral, children: list[Child], adults: list[Adult]
) -> list[Child]:
    nhs = {c.nhs_number for c in children if c.nhs_number}
    dobs = {c.date_of_birth for c in children if c.date_of_birth}
    dobs |= {a.date_of_birth for a in adults if a.date_of_birth}  # a parent, once a child
    postcodes = {c.postcode for c in children if c.postcode}
    lookup = Q(pk__in=[])
    if nhs:
        lookup |= Q(nhs_number__in=nhs)
    if dobs:
        lookup |= Q(date_of_birth__in=dobs)
    if postcodes:
        lookup |= Q(postcode__in=postcodes)
    for child in children:
        if child.date_of_birth:  # an unborn baby there, born here
            lookup |= Q(
                expected_date_of_delivery__gte=child.date_of_birth - BORN_AFTER_DUE,
                expected_date_of_delivery__lte=child.date_of_birth + BORN_BEFORE_DUE,
            )
        elif child.expected_date_of_delivery:  # unborn here, born there
            due = child.expected_date_of_delivery
            lookup |= Q(
                date_of_birth__gte=due - BORN_BEFORE_DUE, date_of_birth__lte=due + BORN_AFTER_DUE
            )
    return list(
        Child.objects.filter(lookup, _at_linked_front_doors(referral, "referral__front_door_id"))
        .exclude(referral_id=referral.pk)
        .select_related("referral", "referral__sending_agency")
        .order_by("-referral__received_at")[:CANDIDATE_LIMIT]
    )


def _candidate_adults(
    referral: Referral, children: list[Child], adults: list[Adult]
) -> list[Adult]:
    lookup = Q(pk__in=[])
    for adult in adults:
        if adult.date_of_birth:
            lookup |= Q(date_of_birth=adult.date_of_birth)
            # Recorded there without a date of birth: the name and address decide.
            lookup |= Q(last_name=adult.last_name, date_of_birth__isnull=True)
        elif adult.last_name:
            lookup |= Q(last_name=adult.last_name)
    child_dobs = {c.date_of_birth for c in children if c.date_of_birth}
    if child_dobs:
        lookup |= Q(date_of_birth__in=child_dobs)  # a child here, a parent there
    return list(
        Adult.objects.filter(lookup, _at_linked_front_doors(referral, "referral__front_door_id"))
        .exclude(referral_id=referral.pk)
        .select_related("referral", "referral__sending_agency")
        .order_by("-referral__received_at")[:CANDIDATE_LIMIT]
    )


def _mothers_of(referral_ids: set[int]) -> dict[int, list[Adult]]:
    found: dict[int, list[Adult]] = {}
    if referral_ids:
        for adult in Adult.objects.filter(
            referral_id__in=referral_ids, relationship=Relationship.MOTHER
        ).select_related("referral"):
            found.setdefault(adult.referral_id, []).append(adult)
    return found


def _children_of(referral_ids: set[int]) -> dict[int, list[Child]]:
    found: dict[int, list[Child]] = {}
    if referral_ids:
        for child in Child.objects.filter(referral_id__in=referral_ids).only(
            "referral_id", "position", "first_name", "last_name", "address", "postcode"
        ):
            found.setdefault(child.referral_id, []).append(child)
    return found


def _home_of(child: Child) -> str:
    """A child's address with its postcode: the same street in two towns is two homes."""
    return f"{child.address} {child.postcode}".strip()


def _address_of(adult: Adult, home: str) -> str:
    """Where an adult lives: their own address, or the child's if they live with them."""
    return adult.address or (home if adult.lives_with_child == "yes" else "")


def _same_adult(adult: Adult, home: str, other: Adult, other_home: str) -> str:
    """How two adults look like one person, or "" if they do not: a similar
    name and the same date of birth, or, where one date of birth is missing,
    a similar name and the same address. Never across two dates of birth."""
    if not names_match(adult.first_name, adult.last_name, other.first_name, other.last_name):
        return ""
    if adult.date_of_birth and other.date_of_birth:
        if adult.date_of_birth != other.date_of_birth:
            return ""
        return "a similar name and the same date of birth"
    ours, theirs = _address_of(adult, home), _address_of(other, other_home)
    if ours and theirs and addresses_match(ours, theirs):
        return "a similar name and the same address"
    return ""


def _same_person_by_birth(a: Adult | Child, b: Adult | Child) -> bool:
    """A similar name and the same date of birth: an adult who was a child."""
    return bool(
        a.date_of_birth
        and a.date_of_birth == b.date_of_birth
        and names_match(a.first_name, a.last_name, b.first_name, b.last_name)
    )


def _born_as_unborn(
    child: Child,
    other: Child,
    our_mothers: list[Adult],
    theirs: list[Adult],
    home: str,
) -> str:
    """Whether one of two children is the other's unborn baby, now born: the
    birthday near the due date, and the same mother. The reason, or ""."""
    if child.date_of_birth and other.is_unborn:
        born, due, unborn = child, other.expected_date_of_delivery, other
    elif child.is_unborn and other.date_of_birth:
        born, due, unborn = other, child.expected_date_of_delivery, child
    else:
        return ""
    if due is None or born.date_of_birth is None:
        return ""
    if not due - BORN_BEFORE_DUE <= born.date_of_birth <= due + BORN_AFTER_DUE:
        return ""
    mother = next(
        (m for m in our_mothers for t in theirs if _same_adult(m, home, t, _home_of(other))),
        None,
    )
    if mother is None:
        return ""
    return (
        f"{born.name}, born {born.date_of_birth:%-d %B %Y}, may be the unborn baby "
        f"({unborn.name}) due {due:%-d %B %Y}: the same mother, {mother.name}"
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
