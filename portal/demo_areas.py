"""Demo data for routing between areas: a second front door, the postcode
districts each covers, and an ambulance service that works in both."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agencies.models import Agency, AgencyKind, CoverageSource, CoveredPostcode, Membership, Role
from referrals.models import DeadlinePolicy

SECOND_FRONT_DOOR = "Southport Children's Services Front Door (MASH)"
AMBULANCE = "Coastal Ambulance Service NHS Trust"
# The postcode districts each demo front door covers ("NB" and "SP" are made up).
COVERAGE = {
    "northbridge": ["NB1", "NB2", "NB3", "NB4"],
    "southport": ["SP1", "SP2", "SP3", "SP4"],
}
AREA_PEOPLE = [
    # (username, first, last, agency, role, job title)
    ("ambulance.demo", "Alex", "Brooks", AMBULANCE, Role.REFERRER, "Paramedic"),
    ("south.demo", "Sam", "Okafor", SECOND_FRONT_DOOR, Role.PRACTITIONER, "Social worker"),
    ("southmanager.demo", "Sofia", "Lind", SECOND_FRONT_DOOR, Role.MANAGER, "Team manager"),
]


def seed_areas(*, front_door: Agency, password: str, domain: str, authenticator: Any) -> list[str]:
    """Create (once) the second front door, coverage and the ambulance service."""
    done: list[str] = []
    south, created = Agency.objects.get_or_create(
        name=SECOND_FRONT_DOOR,
        defaults={"kind": AgencyKind.FRONT_DOOR, "alert_email": f"southport-mash@{domain}"},
    )
    if created:
        done.append(f"Created the front door: {SECOND_FRONT_DOOR}")
    DeadlinePolicy.objects.get_or_create(front_door=south)
    ambulance, created = Agency.objects.get_or_create(
        name=AMBULANCE,
        defaults={
            "kind": AgencyKind.AMBULANCE,
            "front_door": front_door,
            "serves_many_areas": True,
        },
    )
    if created:
        done.append(f"Created partner agency serving both areas: {AMBULANCE}")
    for key, door in (("northbridge", front_door), ("southport", south)):
        for district in COVERAGE[key]:
            CoveredPostcode.objects.get_or_create(
                postcode=district,
                defaults={"front_door": door, "source": CoverageSource.ADMIN},
            )
    agencies = {SECOND_FRONT_DOOR: south, AMBULANCE: ambulance}
    User = get_user_model()
    for username, first, last, agency, role, title in AREA_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@{domain}"},
        )
        if created or not user.check_password(password):
            user.set_password(password)
        user.is_staff = user.is_superuser = False
        user.save()
        Membership.objects.get_or_create(
            user=user,
            agency=agencies[agency],
            role=role,
            defaults={"job_title": title, "phone": "01632 960 000"},
        )
        authenticator(user)
    return done
