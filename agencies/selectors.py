"""Reads about people's places and powers. Every permission check starts here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.db.models.functions import Length

from agencies.models import (
    ACKNOWLEDGING_ROLES,
    FRONT_DOOR_ROLES,
    HEALTH_AGENCY_KINDS,
    REPORT_ROLES,
    SENDING_ROLES,
    Agency,
    AgencyKind,
    CoveredPostcode,
    Membership,
    OnCallShift,
    Role,
)
from core.postcodes import coverage_keys


@dataclass(frozen=True)
class Grant:
    agency_id: int
    agency_name: str
    agency_is_front_door: bool
    front_door_id: int | None
    role: str
    agency_kind: str = ""

    @property
    def is_health(self) -> bool:
        return self.agency_kind in HEALTH_AGENCY_KINDS


@dataclass(frozen=True)
class Access:
    """What one signed-in person may do, from their active memberships."""

    user_id: int | None
    grants: tuple[Grant, ...]

    def has_role(self, *roles: str) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def agency_ids_with(self, roles: Iterable[str]) -> frozenset[int]:
        wanted = frozenset(roles)
        return frozenset(g.agency_id for g in self.grants if g.role in wanted)

    def front_door_ids_with(self, roles: Iterable[str]) -> frozenset[int]:
        """Front doors where the person holds one of `roles` as front-door staff."""
        wanted = frozenset(roles)
        return frozenset(
            g.agency_id for g in self.grants if g.role in wanted and g.agency_is_front_door
        )

    @property
    def is_front_door_staff(self) -> bool:
        return bool(self.front_door_ids_with(FRONT_DOOR_ROLES))

    @property
    def can_send(self) -> bool:
        return any(
            g.role in SENDING_ROLES and not g.agency_is_front_door and g.front_door_id
            for g in self.grants
        )

    @property
    def can_acknowledge(self) -> bool:
        return bool(self.front_door_ids_with(ACKNOWLEDGING_ROLES))

    @property
    def can_see_reports(self) -> bool:
        return bool(self.front_door_ids_with(REPORT_ROLES))

    @property
    def can_see_dashboard(self) -> bool:
        return bool(
            self.front_door_ids_with({Role.MANAGER, Role.SENIOR_MANAGER, Role.ADMINISTRATOR})
        )

    def sending_grant(self) -> Grant | None:
        """The agency a person sends referrals for (their first sending membership)."""
        for grant in self.grants:
            if (
                grant.role in SENDING_ROLES
                and not grant.agency_is_front_door
                and grant.front_door_id
            ):
                return grant
        return None


NO_ACCESS = Access(user_id=None, grants=())
# Where get_access keeps a person's Access on their user object.
_CACHE_ATTRIBUTE = "_frontdoor_access"


def get_access(user: User | AnonymousUser) -> Access:
    """The person's grants, loaded once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached: Access | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    rows = (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency")
        .order_by("id")
    )
    access = Access(
        user_id=user.pk,
        grants=tuple(
            Grant(
                agency_id=m.agency_id,
                agency_name=m.agency.name,
                agency_is_front_door=m.agency.is_front_door,
                front_door_id=m.agency.front_door_id,
                role=m.role,
                agency_kind=m.agency.kind,
            )
            for m in rows
        ),
    )
    setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def members_with_role(*, agency_id: int, roles: Iterable[str]) -> QuerySet[Membership]:
    """Active people holding one of `roles` at an agency, e.g. a front door's managers."""
    return Membership.objects.filter(
        agency_id=agency_id, role__in=list(roles), is_active=True, user__is_active=True
    ).select_related("user")


def front_doors() -> QuerySet[Agency]:
    return Agency.objects.filter(kind="front_door", is_active=True)


def front_doors_without_duty_team(ids: Iterable[int] | None = None) -> QuerySet[Agency]:
    """Active front doors with no emergency duty team address: out of office
    hours nobody is told when an urgent referral arrives. All of them, or
    those among `ids`."""
    found = front_doors().filter(edt_alert_email="")
    if ids is not None:
        found = found.filter(pk__in=list(ids))
    return found.order_by("name")


def front_door_for_postcode(postcode: str) -> Agency | None:
    """The active front door that covers this postcode, or None.

    The most specific entry wins: the postcode itself, then its sector, then
    its district ("NB1 2AB", "NB1 2", "NB1"), so a street or sector on a
    border can belong to the neighbouring front door. Anything that is not a
    full postcode (blank, "No fixed abode", a typo) is covered by nobody.
    """
    keys = coverage_keys(postcode)
    if not keys:
        return None
    match = (
        CoveredPostcode.objects.filter(
            postcode__in=keys,
            front_door__kind=AgencyKind.FRONT_DOOR,
            front_door__is_active=True,
        )
        .select_related("front_door")
        .order_by(Length("postcode").desc())
        .first()
    )
    return match.front_door if match is not None else None


def agencies_with_a_lead(agency_ids: Iterable[int]) -> frozenset[int]:
    """Those of these agencies that have an active safeguarding lead."""
    ids = list(agency_ids)
    if not ids:
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            agency_id__in=ids, role=Role.AGENCY_LEAD, is_active=True, user__is_active=True
        ).values_list("agency_id", flat=True)
    )


@dataclass(frozen=True)
class FrontDoorContact:
    """How a person reaches a front door: shown at the foot of every page, on
    the help page and on the error pages."""

    name: str
    phone: str
    opening_hours: str
    out_of_hours_phone: str


# The contacts last read, kept in this process so that a page saying the
# service has a problem (the database unreachable, say) can still give the
# numbers to phone.
_last_known: dict[int, FrontDoorContact] = {}


def front_door_contacts(front_door_ids: Iterable[int] | None = None) -> list[FrontDoorContact]:
    """Active front doors (all, or those given) with a number to phone, by name."""
    doors = front_doors().exclude(phone="").order_by("name")
    if front_door_ids is not None:
        doors = doors.filter(pk__in=list(front_door_ids))
    found = {
        door.pk: FrontDoorContact(
            name=door.name,
            phone=door.phone,
            opening_hours=door.opening_hours,
            out_of_hours_phone=door.out_of_hours_phone,
        )
        for door in doors.only("pk", "name", "phone", "opening_hours", "out_of_hours_phone")
    }
    if front_door_ids is None:
        _last_known.clear()
    _last_known.update(found)
    return list(found.values())


def last_known_front_door_contacts() -> list[FrontDoorContact]:
    """The numbers this process last read, without asking the database."""
    return sorted(_last_known.values(), key=lambda contact: contact.name)


def front_doors_of(access: Access) -> frozenset[int]:
    """The front doors a person works in or sends to."""
    ids: set[int] = set()
    for grant in access.grants:
        if grant.agency_is_front_door:
            ids.add(grant.agency_id)
        elif grant.front_door_id is not None:
            ids.add(grant.front_door_id)
    return frozenset(ids)


def on_call_phones(*, front_door_id: int, roles: Iterable[str], at: dt.datetime) -> list[str]:
    """The mobiles on call at a front door at `at` for these on-call roles
    (OnCallRole), each once, in the order the shifts began."""
    shifts = OnCallShift.objects.filter(
        front_door_id=front_door_id, role__in=list(roles), starts_at__lte=at, ends_at__gt=at
    ).order_by("starts_at", "id")
    phones: list[str] = []
    for phone in shifts.values_list("phone", flat=True):
        compact = "".join(phone.split())
        if compact not in phones:
            phones.append(compact)
    return phones
