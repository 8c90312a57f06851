"""Shared fixtures: the people of two agencies and two front doors.

Personas (STYLE.md): a health visitor of agency A, a GP of agency B, the
safeguarding lead of agency A, a front-door practitioner, manager, senior
manager and administrator, and an outsider who works at another front door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import Agency, AgencyKind, Membership, Role
from referrals.models import DeadlinePolicy, Referral
from referrals.services import Submission, submit_referral


def pytest_report_header(config: Any) -> list[str]:
    db = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL
    where = db["ENGINE"].rsplit(".", 1)[-1]
    host = f"{db.get('HOST') or 'local'}:{db.get('PORT') or '-'}" if where != "sqlite3" else "file"
    return [
        f"Front Door test backends: database={where} ({host}), broker={broker.split('://')[0]} ({broker})"
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
        hv=make_user("hv.visitor", agency=agency_a, role=Role.REFERRER, first="Hannah", last="Vale"),
        gp=make_user("gp.doctor", agency=agency_b, role=Role.REFERRER, first="Gareth", last="Price"),
        lead_a=make_user("lead.nurse", agency=agency_a, role=Role.AGENCY_LEAD),
        mash=make_user("mash.worker", agency=front_door, role=Role.PRACTITIONER, first="Maya", last="Ashworth"),
        manager=make_user("manager.duty", agency=front_door, role=Role.MANAGER),
        senior=make_user("senior.head", agency=front_door, role=Role.SENIOR_MANAGER),
        admin=make_user("admin.systems", agency=front_door, role=Role.ADMINISTRATOR),
        outsider=make_user("outsider.sw", agency=other, role=Role.PRACTITIONER),
    )


def a_submission(**overrides: Any) -> Submission:
    values: dict[str, Any] = {
        "kind": "referral",
        "urgency": "standard",
        "child_first_name": "Leo",
        "child_last_name": "Marsh",
        "child_date_of_birth": dt.date(2019, 6, 14),
        "concern_summary": "Healed burn on the forearm; no medical advice sought at the time.",
        "sender_phone": "01632 960 111",
    }
    values.update(overrides)
    return Submission(**values)


def submit(sender: Any, *, now: dt.datetime | None = None, **overrides: Any) -> Referral:
    return submit_referral(sender=sender, submission=a_submission(**overrides), now=now)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "referral",
        "urgency": "standard",
        "child_first_name": "Leo",
        "child_last_name": "Marsh",
        "child_date_of_birth-day": "14",
        "child_date_of_birth-month": "6",
        "child_date_of_birth-year": "2019",
        "concern_summary": "Healed burn on the forearm; no medical advice sought at the time.",
        "sender_phone": "01632 960 111",
    }
    data.update(overrides)
    return data


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
        broker_url=dead, broker_write_url=dead, broker_read_url=dead,
        broker_transport_options={"socket_connect_timeout": 1},
    )
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        services._broker_down_until = 0.0
