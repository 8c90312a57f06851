"""Demo data for trying Front Door on a fresh machine. Idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, AgencyKind, Membership, Role, Team
from audit.services import COMMAND
from core.heartbeat import beat
from referrals.content import validate_content
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import DeadlinePolicy, EscalationRule, Referral
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.challenge import raise_challenge
from referrals.services.contacts import record_contact, record_public_report
from referrals.services.decision import decide_referral
from referrals.services.submit import submit_referral

DEMO_DOMAIN = "frontdoor.example"
DEMO_DEVICE_NAME = "Demo authenticator"


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
    DemoPerson(
        "mash.demo", "Maya", "Ashworth", FRONT_DOOR, Role.PRACTITIONER, "Social worker", "Duty team"
    ),
    DemoPerson(
        "manager.demo", "Mark", "Anders", FRONT_DOOR, Role.MANAGER, "Team manager", "Duty team"
    ),
    DemoPerson("senior.demo", "Sunita", "Rao", FRONT_DOOR, Role.SENIOR_MANAGER, "Head of service"),
    DemoPerson(
        "admin.demo", "Adam", "Dunn", FRONT_DOOR, Role.ADMINISTRATOR, "Systems administrator"
    ),
    DemoPerson(
        "partnership.demo",
        "Priya",
        "Shah",
        FRONT_DOOR,
        Role.PARTNERSHIP_VIEWER,
        "Safeguarding partnership business manager",
    ),
]


def demo_authenticator(user: Any) -> TOTPDevice:
    """Demo accounts share a published authenticator key, so anyone trying
    the demo can sign in without a phone: `manage.py demo_code <username>`
    prints the current code. Real accounts set up their own app."""
    key = hashlib.sha256(f"front-door-demo:{user.get_username()}".encode()).hexdigest()[:40]
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )
    return device


def demo_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, name=DEMO_DEVICE_NAME)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def seed_demo(*, password: str) -> list[str]:
    """Create the demo front door, partners, people and sample referrals, then
    really fail one email (outside the transaction: delivery is never done
    inside one). Returns what it did, one line each, for the command to print.
    """
    done = _seed(password=password)
    challenged = (
        Referral.objects.filter(challenges__isnull=False, sender__username="hv.demo")
        .order_by("received_at")
        .first()
    )
    if challenged is not None and not challenged.notifications.filter(status="failed").exists():
        done.append(f"Email that could not be delivered: {_fail_one_email(challenged)}")
    return done


@transaction.atomic
def _seed(*, password: str) -> list[str]:
    done: list[str] = []
    front_door, created = Agency.objects.get_or_create(
        name=FRONT_DOOR,
        defaults={
            "kind": AgencyKind.FRONT_DOOR,
            "alert_email": f"mash@{DEMO_DOMAIN}",
            "police_alert_email": f"public-protection@{DEMO_DOMAIN}",
        },
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
        # The demo's administrator administers its front door only: never a
        # superuser (a deployment's own is made with `manage.py createsuperuser`).
        user.is_staff = user.is_superuser = False
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
        demo_authenticator(user)
        users[person.username] = user

    if not Referral.objects.filter(sender__username__in=["hv.demo", "gp.demo"]).exists():
        done += _sample_referrals(users)
    if not Referral.objects.filter(front_door=front_door).exclude(source_type="").exists():
        done += _sample_contacts(users, front_door)
    escalated = escalate_overdue_referrals()
    beat("escalation-sweep")
    for item in escalated.escalated:
        rule = EscalationRule(item.rule).label.lower()
        done.append(f"Escalated {item.reference} to level {item.level} ({rule})")
    return done


def _document(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "referral",
        "urgency": "standard",
        "children": [],
        "adults": [],
        "father_not_recorded_reason": "",
        "other_agencies": [],
        "previous_areas": [],
        "consent": {"family_aware": "yes", "consent": "given"},
        "sender": {"phone": "01632 960 222", "availability": "Until 5pm"},
    }
    base.update(parts)
    return base


def _submit(user: Any, document: dict[str, Any], when: dt.datetime) -> Referral:
    content, problems = validate_content(document)
    if content is None:
        raise ValueError(f"Demo referral is not valid: {[(p.path, p.message) for p in problems]}")
    return submit_referral(sender=user, content=content, origin=COMMAND, now=when)


def _sample_referrals(users: dict) -> list[str]:
    now = timezone.now()
    today = timezone.localdate()
    overdue = _submit(
        users["gp.demo"],
        _document(
            children=[
                {
                    "first_name": "Leo",
                    "last_name": "Marsh",
                    "born": "yes",
                    "date_of_birth": "2019-06-14",
                    "sex": "male",
                    "nhs_number": "943 476 5919",
                    "address": "14 Canal Row, Northbridge",
                    "postcode": "NB1 4QT",
                    "school_or_nursery": "St Anne's Primary School",
                    "interpreter_needed": "no",
                    "plan_status": "none",
                }
            ],
            adults=[
                {
                    "first_name": "Kirsty",
                    "last_name": "Marsh",
                    "relationship": "mother",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": [],
                },
                {
                    "first_name": "Dean",
                    "last_name": "Hollis",
                    "relationship": "mothers_partner",
                    "lives_with_child": "not_known",
                    "parental_responsibility": "no",
                    "known_concerns": ["alcohol_misuse"],
                },
            ],
            concern={
                "categories": ["physical_abuse", "neglect"],
                "what_happened": (
                    "Leo (6) came to surgery with his mother with a healed burn on his forearm. "
                    "Mother said he touched the oven door two weeks ago; no medical advice was "
                    "sought at the time. Third missed immunisation appointment this year."
                ),
                "when_happened": "About two weeks before the appointment",
                "childs_experience": "Leo was quiet and said 'Dean was cross'.",
                "action_taken": "Discussed with the practice safeguarding lead.",
                "immediate_risk": "no",
            },
            sender={"phone": "01632 960 111", "availability": "Surgery hours"},
        ),
        now - dt.timedelta(days=4),
    )
    waiting = _submit(
        users["hv.demo"],
        _document(
            kind="consultation",
            children=[
                {
                    "first_name": "Amira",
                    "last_name": "Okafor",
                    "born": "yes",
                    "date_of_birth": "2025-09-02",
                    "sex": "female",
                    "address": "Flat 3, 88 Station Road, Northbridge",
                    "postcode": "NB2 7HD",
                    "interpreter_needed": "no",
                    "plan_status": "none",
                }
            ],
            adults=[
                {
                    "first_name": "Grace",
                    "last_name": "Okafor",
                    "relationship": "mother",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": ["domestic_abuse_victim"],
                }
            ],
            father_not_recorded_reason="Mother says Amira's father lives abroad and has no "
            "contact; she would not give his name.",
            concern={
                "categories": ["domestic_abuse"],
                "what_happened": (
                    "At today's visit mother said her new partner shouts at her and she is "
                    "frightened when he drinks. Baby well cared for and thriving. Advice wanted "
                    "on whether this meets the threshold for a referral."
                ),
                "when_happened": "Told at today's visit",
                "childs_experience": "Amira is alert, feeding well and gaining weight.",
                "action_taken": "Gave mother the domestic abuse helpline number.",
                "immediate_risk": "no",
            },
        ),
        now - dt.timedelta(minutes=20),
    )
    baby_born = today - dt.timedelta(weeks=12)
    acknowledged = _submit(
        users["hv.demo"],
        _document(
            children=[
                {
                    "first_name": "Noah",
                    "last_name": "Fielding",
                    "born": "yes",
                    "date_of_birth": baby_born.isoformat(),
                    "sex": "male",
                    "address": "2 Orchard Close, Northbridge",
                    "postcode": "NB3 1AA",
                    "interpreter_needed": "no",
                    "plan_status": "none",
                }
            ],
            adults=[
                {
                    "first_name": "Chloe",
                    "last_name": "Fielding",
                    "relationship": "mother",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": [],
                },
                {
                    "first_name": "Ryan",
                    "last_name": "Fielding",
                    "relationship": "father",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": [],
                },
            ],
            concern={
                "categories": ["non_mobile_injury"],
                "what_happened": (
                    "Noah (12 weeks, not yet rolling) has a 2cm bruise on his left cheek. "
                    "Father says his older sister hit him with a toy."
                ),
                "when_happened": "Seen at this morning's visit",
                "childs_experience": "Noah was settled and feeding; the bruise is blue-purple.",
                "action_taken": "Told parents I must refer today.",
                "immediate_risk": "no",
            },
        ),
        now - dt.timedelta(hours=3),
    )
    acknowledge_referral(
        referral=acknowledged,
        actor=users["mash.demo"],
        origin=COMMAND,
        now=now - dt.timedelta(hours=2, minutes=45),
    )

    # Earlier history: the school referred Leo eight months ago.
    school_user = users["hv.demo"]
    earlier = _submit(
        school_user,
        _document(
            kind="consultation",
            children=[
                {
                    "first_name": "Leo",
                    "last_name": "Marsh",
                    "born": "yes",
                    "date_of_birth": "2019-06-14",
                    "sex": "male",
                    "nhs_number": "943 476 5919",
                    "address": "14 Canal Row, Northbridge",
                    "postcode": "NB1 4QT",
                    "interpreter_needed": "no",
                    "plan_status": "none",
                }
            ],
            adults=[
                {
                    "first_name": "Kirsty",
                    "last_name": "Marsh",
                    "relationship": "mother",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": [],
                }
            ],
            father_not_recorded_reason="Not known to the health visiting service.",
            concern={
                "categories": ["neglect"],
                "what_happened": "Leo arrived at clinic hungry and in unwashed clothes on two "
                "visits.",
                "when_happened": "March and April",
                "childs_experience": "Leo ate everything he was offered.",
                "action_taken": "Spoke to mother about support.",
                "immediate_risk": "no",
            },
        ),
        now - dt.timedelta(days=240),
    )
    decide_referral(
        referral=earlier,
        actor=users["mash.demo"],
        decision="advice",
        reasons="Advice given to the health visitor; mother accepted a referral to the family hub.",
        next_steps="",
        next_steps_owner="",
        origin=COMMAND,
        now=now - dt.timedelta(days=239),
    )

    # A decision the health visitor disagreed with; nobody answered in time.
    challenged = _submit(
        users["hv.demo"],
        _document(
            children=[
                {
                    "first_name": "Mia",
                    "last_name": "Carter",
                    "born": "yes",
                    "date_of_birth": "2023-11-20",
                    "sex": "female",
                    "address": "5 Lock Street, Northbridge",
                    "postcode": "NB4 2LS",
                    "interpreter_needed": "no",
                    "plan_status": "none",
                }
            ],
            adults=[
                {
                    "first_name": "Jade",
                    "last_name": "Carter",
                    "relationship": "mother",
                    "lives_with_child": "yes",
                    "parental_responsibility": "yes",
                    "known_concerns": ["alcohol_misuse"],
                },
                {
                    "first_name": "Lewis",
                    "last_name": "Carter",
                    "relationship": "father",
                    "lives_with_child": "no",
                    "parental_responsibility": "yes",
                    "known_concerns": [],
                },
            ],
            concern={
                "categories": ["parental_substance_misuse", "neglect"],
                "what_happened": "Mother smelt of alcohol at 10am on two visits; Mia was in a "
                "soiled nappy.",
                "when_happened": "Visits this month",
                "childs_experience": "Mia was quiet and did not look to her mother for comfort.",
                "action_taken": "Discussed with my safeguarding lead.",
                "immediate_risk": "no",
            },
        ),
        now - dt.timedelta(days=10),
    )
    decide_referral(
        referral=challenged,
        actor=users["manager.demo"],
        decision="nfa",
        reasons="Mother is engaging with the drug and alcohol service.",
        next_steps="",
        next_steps_owner="",
        origin=COMMAND,
        now=now - dt.timedelta(days=9),
    )
    raise_challenge(
        referral=challenged,
        actor=users["hv.demo"],
        reasons="The drug and alcohol service says mother has missed her last three appointments.",
        origin=COMMAND,
        now=now - dt.timedelta(days=8),
    )
    return [
        f"Sample referral {overdue.reference}: overdue, nobody has acknowledged it",
        f"Sample consultation {waiting.reference}: just arrived",
        f"Sample urgent referral {acknowledged.reference}: injured non-mobile baby, police "
        "notified, acknowledged",
        f"Earlier consultation {earlier.reference}: Leo Marsh, eight months ago (shows as earlier "
        "history)",
        f"Decided referral {challenged.reference}: challenged by hv.demo, not answered in time",
    ]


def _contact_document(received_at: dt.datetime, **parts: Any) -> dict[str, Any]:
    local = timezone.localtime(received_at)
    document = _document(**parts)
    document.pop("kind")
    document.pop("sender")
    document["contact"] = {
        "received_on": local.date().isoformat(),
        "received_time": f"{local:%H:%M}",
        **document.get("contact", {}),
    }
    return document


def _record(user: Any, document: dict[str, Any], **kwargs: Any) -> Referral:
    content, problems = validate_content(document, contact=True)
    if content is None:
        raise ValueError(f"Demo contact is not valid: {[(p.path, p.message) for p in problems]}")
    return record_contact(recorder=user, content=content, origin=COMMAND, **kwargs)


def _sample_contacts(users: dict, front_door: Agency) -> list[str]:
    """A phone call from a school still to be looked at, a letter closed as
    information only, and a neighbour's report from the public page."""
    now = timezone.now()
    child = {
        "first_name": "Ruby",
        "last_name": "Hale",
        "born": "yes",
        "date_of_birth": "2018-02-11",
        "sex": "female",
        "address": "7 Orchard Close, Northbridge",
        "postcode": "NB3 1LP",
        "interpreter_needed": "no",
        "plan_status": "not_known",
    }
    call = _record(
        users["mash.demo"],
        _contact_document(
            now - dt.timedelta(minutes=35),
            contact={
                "channel": "phone",
                "source_type": "professional",
                "source_name": "Mr Dev Patel",
                "source_organisation": "St Anne's Primary School (not on Front Door)",
                "source_role": "Designated safeguarding lead",
                "source_phone": "01632 960 555",
                "source_email": f"dsl.stannes@{DEMO_DOMAIN}",
                "census_source": "2A",
            },
            children=[child],
            father_not_recorded_reason="Not asked: the school does not know him",
            concern={
                "categories": ["neglect"],
                "what_happened": "Ruby has come to school hungry every day this week and "
                "said there is no food at home.",
                "when_happened": "This week",
                "childs_experience": "Ruby said her mum is asleep in the mornings.",
                "action_taken": "Gave Ruby breakfast at school.",
                "immediate_risk": "no",
            },
            consent={"family_aware": "no", "consent": "not_known"},
        ),
    )
    letter = _record(
        users["mash.demo"],
        _contact_document(
            now - dt.timedelta(days=2),
            contact={
                "channel": "letter",
                "source_type": "professional",
                "source_name": "Housing officer",
                "source_organisation": "Northbridge Homes",
                "census_source": "4",
            },
            children=[{**child, "first_name": "Alfie", "date_of_birth": "2021-05-30"}],
            father_not_recorded_reason="Not asked: information only",
            concern={
                "categories": ["other"],
                "what_happened": "Letting the front door know the family has moved to a new "
                "address; no concern about the children.",
                "when_happened": "Last week",
                "childs_experience": "",
                "action_taken": "",
                "immediate_risk": "no",
            },
            consent={"family_aware": "yes", "consent": "given"},
        ),
        close_as_information_only=True,
        closing_reasons="Change of address only; family not known to children's social care.",
    )
    public = record_public_report(
        answers={
            "relationship": "acquaintance",
            "child_name": "Not known",
            "child_age": "about 3",
            "child_address": "Flat above the launderette, High Street, Northbridge",
            "child_postcode": "",
            "what_happened": "A little boy is left on his own in the flat for hours; I hear "
            "him crying at the window.",
            "danger_now": "no",
            "your_name": "",
            "your_phone": "",
            "your_email": f"neighbour@{DEMO_DOMAIN}",
        },
        front_door=front_door,
        origin=COMMAND,
        now=now - dt.timedelta(minutes=5),
    )
    return [
        f"Contact {call.reference}: a phone call from a school not on Front Door",
        f"Contact {letter.reference}: a letter closed as information only",
        f"Contact {public.reference}: a neighbour's report from the public page",
    ]


def _fail_one_email(referral: Referral) -> str:
    """Really fail one email, so the dashboard shows what managers see when
    mail is down: deliver the challenge alert through a mail server that is
    not there, once its retry window is over."""
    from django.core.mail import get_connection

    from notifications.dispatch import dispatch_due_notifications, record_success
    from notifications.models import Notification

    note = Notification.objects.filter(referral=referral, purpose="challenge").first()
    if note is None:
        return "none"
    nowhere = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=9, timeout=2
    )
    later = (note.retry_until or timezone.now()) + dt.timedelta(minutes=1)
    dispatch_due_notifications(now=later, email_connection=nowhere, only_ids=[note.pk])
    # The demo's own mail is fine: forget the failure it just staged.
    record_success("email")
    note.refresh_from_db()
    return f"{note.get_purpose_display().lower()} to {note.to_address} ({note.status})"
