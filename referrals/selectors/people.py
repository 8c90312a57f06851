"""The people around a referral's front door: who a referral can be given
to, which agencies can be asked, and who at an agency hears a question."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from agencies.models import ACKNOWLEDGING_ROLES, Agency, Role
from agencies.selectors import members_with_role
from core.names import display_name
from referrals.models import Referral


def assignable_people(referral: Referral) -> list[User]:
    """The front door's practitioners and managers, by name."""
    members = members_with_role(agency_id=referral.front_door_id, roles=ACKNOWLEDGING_ROLES)
    people = {m.user.pk: m.user for m in members}
    return sorted(people.values(), key=display_name)


def partner_agencies(referral: Referral) -> list[Agency]:
    """Agencies that may be asked about a referral: the front door's partners."""
    return list(
        Agency.objects.filter(front_door_id=referral.front_door_id, is_active=True).order_by("name")
    )


def agency_contacts(agency_id: int) -> list[User]:
    """Who at an agency hears about a question: its safeguarding leads, or
    everyone who sends referrals for it if it has no lead."""
    leads = [m.user for m in members_with_role(agency_id=agency_id, roles=[Role.AGENCY_LEAD])]
    return leads or [m.user for m in members_with_role(agency_id=agency_id, roles=[Role.REFERRER])]


def user_by_id(user_id: object) -> User | None:
    """An active person by id as typed into a form or API call, or None."""
    try:
        return get_user_model().objects.filter(pk=int(str(user_id)), is_active=True).first()
    except (TypeError, ValueError):
        return None
