"""Demo data for trying Front Door on a fresh machine. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Membership, Role, Team
from referrals.escalations import escalate_overdue_referrals
from referrals.models import DeadlinePolicy, Kind, Referral, Urgency
from referrals.services import Submission, acknowledge_referral, submit_referral

DEMO_DOMAIN = "frontdoor.example"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: str
    job_title: str
    team: str = ""


FRONT_DOOR = "Northbridge Children's Services Front Door (MASH)"
HEALTH_VISITING = "Northbridge Health Visiting Service"
GP_PRACTICE = "Riverside Medical Practice"
POLICE = "Northbridge Police Public Protection Unit"
SCHOOL = "St Anne's Primary School"

PARTNERS = [
    (HEALTH_VISITING, AgencyKind.HEALTH_VISITING),
    (GP_PRACTICE, AgencyKind.GP_PRACTICE),
    (POLICE, AgencyKind.POLICE),
    (SCHOOL, AgencyKind.SCHOOL),
]

PEOPLE = [
    DemoPerson("hv.demo", "Hannah", "Vale", HEALTH_VISITING, Role.REFERRER, "Health visitor"),
    DemoPerson("gp.demo", "Gareth", "Price", GP_PRACTICE, Role.REFERRER, "GP"),
    DemoPerson("mash.demo", "Maya", "Ashworth", FRONT_DOOR, Role.PRACTITIONER, "Social worker", "Duty team"),
    DemoPerson("manager.demo", "Mark", "Anders", FRONT_DOOR, Role.MANAGER, "Team manager", "Duty team"),
    DemoPerson("senior.demo", "Sunita", "Rao", FRONT_DOOR, Role.SENIOR_MANAGER, "Head of service"),
    DemoPerson("admin.demo", "Adam", "Dunn", FRONT_DOOR, Role.ADMINISTRATOR, "Systems administrator"),
]


@transaction.atomic
def seed_demo(*, password: str) -> list[str]:
    """Create the demo front door, partners, people and sample referrals.

    Returns what it did, one line each, for the command to print.
    """
    done: list[str] = []
    front_door, created = Agency.objects.get_or_create(
        name=FRONT_DOOR,
        defaults={"kind": AgencyKind.FRONT_DOOR, "alert_email": f"mash@{DEMO_DOMAIN}"},
    )
    if created:
        done.append(f"Created the front door: {FRONT_DOOR}")
    DeadlinePolicy.objects.get_or_create(front_door=front_door)
    teams = {"Duty team": Team.objects.get_or_create(agency=front_door, name="Duty team")[0]}
    agencies = {FRONT_DOOR: front_door}
    for name, kind in PARTNERS:
        agency, created = Agency.objects.get_or_create(
            name=name, defaults={"kind": kind, "front_door": front_door}
        )
        agencies[name] = agency
        if created:
            done.append(f"Created partner agency: {name}")

    User = get_user_model()
    users = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@{DEMO_DOMAIN}",
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
        if person.role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.is_superuser = True
        user.save()
        Membership.objects.get_or_create(
            user=user,
            agency=agencies[person.agency],
            role=person.role,
            defaults={
                "job_title": person.job_title,
                "team": teams.get(person.team),
                "phone": "01632 960 000",
            },
        )
        users[person.username] = user

    if not Referral.objects.filter(sender__username__in=["hv.demo", "gp.demo"]).exists():
        done += _sample_referrals(users)
    escalated = escalate_overdue_referrals()
    for item in escalated.escalated:
        done.append(f"Escalated {item.reference} to level {item.level}")
    return done


def _sample_referrals(users: dict) -> list[str]:
    now = timezone.now()
    overdue = submit_referral(
        sender=users["gp.demo"],
        submission=Submission(
            kind=Kind.REFERRAL,
            urgency=Urgency.STANDARD,
            child_first_name="Leo",
            child_last_name="Marsh",
            child_date_of_birth=dt.date(2019, 6, 14),
            concern_summary=(
                "Leo (6) came to surgery with his mother with a healed burn on his forearm. "
                "Mother said he touched the oven door two weeks ago; no medical advice was "
                "sought at the time. Third missed immunisation appointment this year."
            ),
            sender_phone="01632 960 111",
        ),
        now=now - dt.timedelta(days=4),
    )
    waiting = submit_referral(
        sender=users["hv.demo"],
        submission=Submission(
            kind=Kind.CONSULTATION,
            urgency=Urgency.STANDARD,
            child_first_name="Amira",
            child_last_name="Okafor",
            child_date_of_birth=dt.date(2025, 9, 2),
            concern_summary=(
                "At today's visit mother said her new partner shouts at her and she is "
                "frightened when he drinks. Baby well cared for and thriving. Advice wanted "
                "on whether this meets the threshold for a referral."
            ),
            sender_phone="01632 960 222",
        ),
        now=now - dt.timedelta(minutes=20),
    )
    acknowledged = submit_referral(
        sender=users["hv.demo"],
        submission=Submission(
            kind=Kind.REFERRAL,
            urgency=Urgency.URGENT,
            child_first_name="Noah",
            child_last_name="Fielding",
            child_date_of_birth=dt.date(2026, 8, 30),
            concern_summary=(
                "Noah (12 weeks, not yet rolling) has a 2cm bruise on his left cheek. "
                "Father says it happened when his older sister hit him with a toy."
            ),
            sender_phone="01632 960 222",
        ),
        now=now - dt.timedelta(hours=3),
    )
    acknowledge_referral(referral=acknowledged, actor=users["mash.demo"], via="command",
                         now=now - dt.timedelta(hours=2, minutes=45))
    return [
        f"Sample referral {overdue.reference}: overdue, nobody has acknowledged it",
        f"Sample consultation {waiting.reference}: just arrived",
        f"Sample urgent referral {acknowledged.reference}: acknowledged by mash.demo",
    ]
