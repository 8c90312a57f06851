"""Searching the front door's people: children and adults in every referral
and consultation sent to it, open or decided.

Serious case reviews found history that was there but "not easy for workers
to find" (Plymouth lessons 5 and 6; Family T). A decided referral must be
found again by the child's or a parent's name, date of birth, NHS number,
postcode or address, however the name was typed.

1. Scope: only referrals sent to a front door the person works at
   (referrals_visible_to with front_door_only), so nobody finds another
   front door's families, and nobody who is not front-door staff finds any.
2. Narrow with what is exact and indexed: NHS number, date of birth,
   postcode. With only a name or an address, PostgreSQL narrows with
   trigram indexes (migration 0007); SQLite, the single-office mode, reads
   the front door's people and checks each.
3. Check every candidate in Python with the tolerant name rule
   (referrals.selectors.matching.name_fits_search): typos, names in any
   order, hyphens, nicknames, other scripts.
4. Group what is left by person (the same NHS number, or a similar name and
   the same date of birth; never across two dates of birth), newest first.
   Grouping only shows them together: nothing is merged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from django.db import connection, transaction
from django.db.models import F, Func, Lookup, Q, QuerySet, TextField

from audit.models import Action
from audit.services import Origin, record_event
from referrals.models import Adult, Child, Referral
from referrals.selectors.access import User, referrals_visible_to
from referrals.selectors.matching import (
    addresses_match,
    name_fits_search,
    name_variants,
    names_match,
    normalise_name,
    spelled_alike,
)

# Most people a search shows; more means the search needs narrowing.
MAX_PEOPLE = 50
# Most records read after the indexed narrowing: a common name at a large
# front door is still a bounded read.
MAX_CANDIDATES = 2000
# PostgreSQL's word similarity at or above which a name or address is read
# and checked; low, because the check in Python decides and typos in short
# names share few trigrams.
TRIGRAM_THRESHOLD = "0.3"


@dataclass(frozen=True)
class PersonQuery:
    name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""  # "943 476 5919", as stored
    postcode: str = ""  # "NB1 4QT", or an outward code "NB1"
    address: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.name or self.date_of_birth or self.nhs_number or self.postcode or self.address
        )

    def terms(self) -> dict[str, str]:
        """What was searched for, for the audit."""
        values = {
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "postcode": self.postcode,
            "address": self.address,
        }
        return {key: value for key, value in values.items() if value}


@dataclass
class Appearance:
    """One person in one referral."""

    referral: Referral
    role: str  # "Child", "Unborn child", "Mother", ...
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    address: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(eq=False)
class PersonResult:
    """Records that look like one person, newest first. Shown together, never merged."""

    appearances: list[Appearance] = field(default_factory=list)

    @property
    def latest(self) -> Appearance:
        return self.appearances[0]

    @property
    def name(self) -> str:
        return self.latest.name

    @property
    def date_of_birth(self) -> dt.date | None:
        return next((a.date_of_birth for a in self.appearances if a.date_of_birth), None)

    @property
    def nhs_number(self) -> str:
        return next((a.nhs_number for a in self.appearances if a.nhs_number), "")

    @property
    def other_names(self) -> list[str]:
        seen = {self.name}
        names = []
        for appearance in self.appearances:
            if appearance.name not in seen:
                seen.add(appearance.name)
                names.append(appearance.name)
        return names

    @property
    def roles(self) -> list[str]:
        return list(dict.fromkeys(a.role for a in self.appearances))

    def takes(self, other: Appearance) -> bool:
        """Whether `other` looks like the same person as this group."""
        for mine in self.appearances:
            if mine.nhs_number and other.nhs_number:
                # The same NHS number is the same child; two are two children.
                return mine.nhs_number == other.nhs_number
            if mine.date_of_birth and other.date_of_birth:
                if mine.date_of_birth != other.date_of_birth:
                    return False  # never the same person across two dates of birth
                if names_match(mine.first_name, mine.last_name, other.first_name, other.last_name):
                    return True
                continue
            if (
                not mine.date_of_birth
                and not other.date_of_birth
                and mine.address
                and other.address
                and names_match(mine.first_name, mine.last_name, other.first_name, other.last_name)
                and addresses_match(mine.address, other.address)
            ):
                return True
        return False


@dataclass
class SearchResult:
    people: list[PersonResult]
    more: bool  # more people matched than are shown


def search_people(user: User, query: PersonQuery) -> SearchResult:
    """People in the user's front doors' referrals who fit the query, grouped
    by person, the person seen most recently first."""
    if query.is_empty:
        return SearchResult(people=[], more=False)
    scope = referrals_visible_to(user, front_door_only=True)
    appearances = [
        *_appearances(_children(scope, query), query),
        *_appearances(_adults(scope, query), query),
    ]
    appearances.sort(key=lambda a: (a.referral.received_at, a.referral.pk), reverse=True)
    return _grouped(appearances)


def _grouped(appearances: list[Appearance]) -> SearchResult:
    """Appearances (newest first) grouped by person. Each is compared only
    with the people who share its NHS number, date of birth or last name,
    so thousands of candidates group in linear time; once more people than
    are shown have been found, later records only join those already found."""
    people: list[PersonResult] = []
    by_key: dict[tuple[str, object], list[PersonResult]] = {}
    more = False

    def keys(a: Appearance) -> list[tuple[str, object]]:
        found: list[tuple[str, object]] = []
        if a.nhs_number:
            found.append(("nhs", a.nhs_number))
        if a.date_of_birth:
            found.append(("born", a.date_of_birth))
        else:
            found += [("word", w) for w in normalise_name(a.name).split()]
        return found

    for appearance in appearances:
        near = [p for key in keys(appearance) for p in by_key.get(key, [])]
        group = next((p for p in dict.fromkeys(near) if p.takes(appearance)), None)
        if group is None:
            if len(people) == MAX_PEOPLE:
                more = True
                continue
            group = PersonResult(appearances=[])
            people.append(group)
        group.appearances.append(appearance)
        for key in keys(appearance):
            if group not in by_key.setdefault(key, []):
                by_key[key].append(group)
    return SearchResult(people=people, more=more)


def _children(scope: QuerySet[Referral], query: PersonQuery) -> QuerySet[Child]:
    children = Child.objects.filter(referral__in=scope)
    if query.nhs_number:
        children = children.filter(nhs_number=query.nhs_number)
    if query.date_of_birth:
        children = children.filter(date_of_birth=query.date_of_birth)
    if query.postcode:
        children = children.filter(_postcode_rule(query.postcode))
    return children


def _adults(scope: QuerySet[Referral], query: PersonQuery) -> QuerySet[Adult]:
    if query.nhs_number:
        return Adult.objects.none()  # an adult's NHS number is not asked for
    adults = Adult.objects.filter(referral__in=scope)
    if query.date_of_birth:
        adults = adults.filter(date_of_birth=query.date_of_birth)
    if query.postcode:
        # An adult's address is one free-text box; a postcode is written in it.
        adults = adults.filter(address__icontains=query.postcode)
    return adults


def _postcode_rule(postcode: str) -> Q:
    if " " in postcode:
        return Q(postcode=postcode)
    return Q(postcode__startswith=f"{postcode} ")  # an outward code: the area


def _appearances(people: QuerySet[Child] | QuerySet[Adult], query: PersonQuery) -> list[Appearance]:
    """Records that fit the name and address typed, read in a bounded number."""
    narrowed_exactly = bool(query.nhs_number or query.date_of_birth or query.postcode)
    people = people.select_related("referral", "referral__sending_agency").order_by(
        "-referral__received_at"
    )
    if not narrowed_exactly and connection.vendor == "postgresql":
        with transaction.atomic():
            # Only for this transaction: what counts as similar enough to read.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [TRIGRAM_THRESHOLD],
                )
            rows = list(_trigram_narrowed(people, query)[:MAX_CANDIDATES])
    elif narrowed_exactly:
        rows = list(people[:MAX_CANDIDATES])
    else:
        rows = list(people.iterator(chunk_size=2000))
    result = []
    for person in rows:
        if query.name and not name_fits_search(query.name, person.first_name, person.last_name):
            continue
        if query.address and not address_fits_search(query.address, person.address):
            continue
        result.append(_appearance(person))
    return result


class _TrigramText(TextField):
    """Text compared with PostgreSQL's trigram word similarity."""


@_TrigramText.register_lookup
class WordSimilarTo(Lookup):
    """`searched <% text`: the word similarity of what was typed to some part
    of the text is at least pg_trgm.word_similarity_threshold; a GIN
    gin_trgm_ops index on the same expression serves it."""

    lookup_name = "word_similar_to"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{rhs} <%% {lhs}", [*rhs_params, *lhs_params]


class FullName(Func):
    """`(first_name || ' ' || last_name)`: the expression migration 0007 indexes."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = _TrigramText()


class AsTrigramText(Func):
    template = "%(expressions)s"
    output_field = _TrigramText()


def _trigram_narrowed(people: QuerySet[Any], query: PersonQuery) -> QuerySet[Any]:
    """PostgreSQL only: names or addresses sharing enough trigrams with what
    was typed, through the GIN trigram indexes of migration 0007."""
    if query.name:
        rule = Q()
        for form in _name_forms(query.name):
            rule |= Q(search_name__word_similar_to=form)
        people = people.alias(search_name=FullName(F("first_name"), F("last_name"))).filter(rule)
    if query.address:
        people = people.alias(search_address=AsTrigramText(F("address"))).filter(
            search_address__word_similar_to=query.address
        )
    return people


def _name_forms(name: str) -> list[str]:
    """The name typed, and the same with each word's nicknames or formal
    forms, for the trigram narrowing ("Bill Hollis" also reads "William Hollis")."""
    words = normalise_name(name).split() or [name]
    forms = [" ".join(words)]
    for index, word in enumerate(words):
        for variant in sorted(name_variants(word) - {word}):
            forms.append(" ".join([*words[:index], variant, *words[index + 1 :]]))
    return forms[:12]


def normalise_address(address: str) -> list[str]:
    plain = anyascii(address).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).split()


def address_fits_search(searched: str, address: str) -> bool:
    """Every word typed is in the address: numbers exactly, words allowing a typo."""
    wanted = normalise_address(searched)
    words = normalise_address(address)
    if not wanted or not words:
        return False
    for word in wanted:
        if word.isdigit() or len(word) < 4:
            if word not in words:
                return False
        elif not any(w == word or spelled_alike(word, w) for w in words):
            return False
    return True


def _appearance(person: Child | Adult) -> Appearance:
    if isinstance(person, Child):
        role = "Unborn child" if person.is_unborn else "Child"
        nhs = person.nhs_number
    else:
        role = person.get_relationship_display()
        nhs = ""
    return Appearance(
        referral=person.referral,
        role=role,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        nhs_number=nhs,
        address=person.address,
    )


def record_search(*, actor: User, query: PersonQuery, result: SearchResult, origin: Origin) -> None:
    """Who searched for whom, and which referrals they were shown: a curious
    search is as visible in the audit as a curious look at a referral."""
    references = list(
        dict.fromkeys(a.referral.reference for p in result.people for a in p.appearances)
    )
    record_event(
        actor=actor,
        action=Action.LISTED,
        object_type="person_search",
        origin=origin,
        detail={"terms": query.terms(), "people": len(result.people), "references": references},
    )
