"""Fixtures for the referral tests. The police personas: the front door's public
protection unit with an officer, and another force (of another front door) with
its own officer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from agencies.models import Agency, AgencyKind, Role
from tests.conftest import World, make_user


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
