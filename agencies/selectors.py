"""Reads about people's places and powers. Every permission check starts here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from agencies.models import (
    ACKNOWLEDGING_ROLES,
    FRONT_DOOR_ROLES,
    REPORT_ROLES,
    SENDING_ROLES,
    Agency,
    Membership,
    OnCallShift,
    Role,
)


@dataclass(frozen=True)
class Grant:
    agency_id: int
    agency_name: str
    agency_is_front_door: bool
    front_door_id: int | None
    role: str


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
