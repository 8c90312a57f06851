"""Shared fixtures: the people of two agencies and two front doors.

Personas (STYLE.md): a health visitor of agency A, a GP of agency B, the
safeguarding lead of agency A, a front-door practitioner, manager, senior
manager and administrator, and an outsider who works at another front door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import Agency, AgencyKind, Membership, Role
from agencies.selectors import get_access
from referrals.content import Content, validate_content
from referrals.models import DeadlinePolicy, Referral
from referrals.services.submit import submit_referral

if TYPE_CHECKING:
    from celery import Celery


def pytest_report_header(config: Any) -> list[str]:
    db = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL
    where = db["ENGINE"].rsplit(".", 1)[-1]
    host = f"{db.get('HOST') or 'local'}:{db.get('PORT') or '-'}" if where != "sqlite3" else "file"
    return [
        f"Front Door test backends: database={where} ({host}), broker={broker.split('://')[0]} "
        f"({broker})"
    ]


@dataclass
class World:
    front_door: Agency
    other_front_door: Agency
    agency_a: Agency
    agency_b: Agency
    hv: Any
    gp: Any
    lead_a: Any
    mash: Any
    manager: Any
    senior: Any
    admin: Any
    outsider: Any


def make_user(username: str, *, agency: Agency, role: str, first: str = "", last: str = "") -> Any:
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.test",
        password=None,  # force_login in page tests; hashing is slow by design
        first_name=first or username.split(".")[0].title(),
        last_name=last or "Tester",
    )
    Membership.objects.create(user=user, agency=agency, role=role, phone="01632 960 000")
    return user


@pytest.fixture
def world(db: Any) -> World:
    front_door = Agency.objects.create(name="Northbridge Front Door", kind=AgencyKind.FRONT_DOOR)
    DeadlinePolicy.objects.create(front_door=front_door)
    other = Agency.objects.create(name="Southport Front Door", kind=AgencyKind.FRONT_DOOR)
    agency_a = Agency.objects.create(
        name="Northbridge Health Visiting", kind=AgencyKind.HEALTH_VISITING, front_door=front_door
    )
    agency_b = Agency.objects.create(
        name="Riverside GP Practice", kind=AgencyKind.GP_PRACTICE, front_door=front_door
    )
    return World(
        front_door=front_door,
        other_front_door=other,
        agency_a=agency_a,
        agency_b=agency_b,
        hv=make_user(
            "hv.visitor", agency=agency_a, role=Role.REFERRER, first="Hannah", last="Vale"
        ),
        gp=make_user(
            "gp.doctor", agency=agency_b, role=Role.REFERRER, first="Gareth", last="Price"
        ),
        lead_a=make_user("lead.nurse", agency=agency_a, role=Role.AGENCY_LEAD),
        mash=make_user(
            "mash.worker", agency=front_door, role=Role.PRACTITIONER, first="Maya", last="Ashworth"
        ),
        manager=make_user("manager.duty", agency=front_door, role=Role.MANAGER),
        senior=make_user("senior.head", agency=front_door, role=Role.SENIOR_MANAGER),
        admin=make_user("admin.systems", agency=front_door, role=Role.ADMINISTRATOR),
        outsider=make_user("outsider.sw", agency=other, role=Role.PRACTITIONER),
    )


EXAMPLE_DOCUMENT = Path(settings.BASE_DIR) / "docs" / "api" / "example-referral.json"


def a_document(**overrides: Any) -> dict[str, Any]:
    """A complete, valid referral: one child, mother and father, consent given.

    Keyword overrides replace top-level keys; use `child=`, `concern=`,
    `consent=` to change parts of those sections.
    """
    document: dict[str, Any] = {
        "kind": "referral",
        "urgency": "standard",
        "children": [
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
        "adults": [
            {
                "first_name": "Kirsty",
                "last_name": "Marsh",
                "relationship": "mother",
                "lives_with_child": "yes",
                "parental_responsibility": "yes",
                "known_concerns": [],
            },
            {
                "first_name": "Sam",
                "last_name": "Marsh",
                "relationship": "father",
                "lives_with_child": "no",
                "parental_responsibility": "yes",
                "known_concerns": [],
            },
        ],
        "other_agencies": [],
        "previous_areas": [],
        "concern": {
            "categories": ["neglect"],
            "what_happened": "Healed burn on the forearm; no medical advice sought at the time.",
            "when_happened": "About two weeks ago",
            "childs_experience": "Quiet, stayed close to his mother.",
            "action_taken": "Told our safeguarding lead.",
            "immediate_risk": "no",
            # Asked only when a child is a non-mobile baby; ignored otherwise.
            "baby_injury": "no",
            "baby_collapse": "no",
            # Asked of health referrers only; ignored for others.
            "abuse_in_differential": "yes",
        },
        "consent": {"family_aware": "yes", "consent": "given"},
        "sender": {"phone": "01632 960 111", "availability": ""},
    }
    child = overrides.pop("child", None)
    if child:
        document["children"][0].update(child)
    for section in ("concern", "consent"):
        if section in overrides:
            document[section] = {**document[section], **overrides.pop(section)}
    document.update(overrides)
    return document


def content_of(document: dict[str, Any], *, health_referrer: bool = False) -> Content:
    content, problems = validate_content(document, health_referrer=health_referrer)
    assert content is not None, [(p.path, p.message) for p in problems]
    return content


def submit(sender: Any, *, now: dt.datetime | None = None, **overrides: Any) -> Referral:
    grant = get_access(sender).sending_grant()
    health = grant is not None and grant.is_health  # asked as the pages and the API ask
    content = content_of(a_document(**overrides), health_referrer=health)
    return submit_referral(sender=sender, content=content, now=now)


WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def decided(world: World, **kwargs: Any) -> Referral:
    """A referral from the health visitor, decided (no further action) by
    the front-door practitioner two hours after it arrived."""
    from referrals.services.decision import decide_referral

    referral = submit(world.hv, now=kwargs.pop("now", WEDNESDAY_10AM))
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="Below threshold.",
        next_steps="",
        next_steps_owner="",
        now=WEDNESDAY_10AM + dt.timedelta(hours=2),
    )
    referral.refresh_from_db()
    return referral


def token_for(user: Any) -> str:
    """A personal API token for this person (as made under Your account)."""
    from accounts.tokens import issue_personal_token
    from audit.services import WEB

    return issue_personal_token(user=user, name="tests", days=30, origin=WEB)[1]


def sign_in(client: Client, user: Any) -> Client:
    """Signed in as far as a person gets with their password and the code
    from their authenticator app (a confirmed TOTP device)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.services import authenticator_for

    client.force_login(user)
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def client_for(user: Any) -> Client:
    return sign_in(Client(), user)


def _forget_broker_connections(app: Celery) -> None:
    """Drop Celery's pooled connections (private, so not in its type stubs):
    the next send connects to whichever broker is configured now."""
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def broker_down() -> Any:
    """Point our Celery app at a port where no broker listens, for real."""
    from notifications import services
    from portal.celery import app

    services._broker_down_until = 0.0
    keys = ("broker_url", "broker_write_url", "broker_read_url", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    dead = "redis://127.0.0.1:9/0"
    app.conf.update(
        broker_url=dead,
        broker_write_url=dead,
        broker_read_url=dead,
        broker_transport_options={"socket_connect_timeout": 1},
    )
    _forget_broker_connections(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_broker_connections(app)
        services._broker_down_until = 0.0


def _forget_rate_limits() -> None:
    """Delete the rate-limit and failure counters only: the cache may be a
    Redis database shared with other things, so never flush it whole."""
    from django.core.cache import cache

    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:  # the file cache of the embedded mode: ours alone
        cache.clear()
        return
    client = client_of(write=True)
    for pattern in ("throttle_*", "auth-failures:*"):
        for key in client.scan_iter(match=cache.make_key(pattern)):
            client.delete(key)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """API rate limits are counted in the cache; each test starts with none."""
    _forget_rate_limits()
    yield
    _forget_rate_limits()


@pytest.fixture
def document_store(settings: Any, tmp_path: Path) -> Path:
    """Attached documents stored in a folder of the test's own, not var/."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": "/no-public-url/"},
        },
    }
    return location


@pytest.fixture
def clamd_down(settings: Any, tmp_path: Path) -> None:
    """ClamAV's daemon not answering: a socket path nothing listens on."""
    settings.CLAMAV_URL = f"unix://{tmp_path / 'no-clamd.sock'}"


# The police personas: the front door's public protection unit with an
# officer, and another force (of another front door) with its own officer.
@dataclass
class Police:
    force: Agency
    officer: Any
    other_force: Agency
    other_officer: Any


@pytest.fixture
def police(world: World) -> Police:
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    force = Agency.objects.create(
        name="Northbridge Police Public Protection Unit",
        kind=AgencyKind.POLICE,
        front_door=world.front_door,
        supervisor_email="ppu-supervisors@police.example",
    )
    other_force = Agency.objects.create(
        name="Southport Police Public Protection Unit",
        kind=AgencyKind.POLICE,
        front_door=world.other_front_door,
        supervisor_email="southport-supervisors@police.example",
    )
    return Police(
        force=force,
        officer=make_user(
            "pc.officer", agency=force, role=Role.POLICE_OFFICER, first="Priya", last="Okafor"
        ),
        other_force=other_force,
        other_officer=make_user("pc.southport", agency=other_force, role=Role.POLICE_OFFICER),
    )
