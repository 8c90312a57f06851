"""What every page carries: the navigation, and the duty-team flag a front
door's administrators see until it is fixed."""

from __future__ import annotations

from tests.conftest import client_for

FLAG = "Northbridge Front Door has no emergency duty team address."


def test_administrators_of_a_front_door_without_a_duty_team_see_it_on_every_page(world):
    admin = client_for(world.admin)
    assert FLAG in admin.get("/account/").content.decode()
    world.front_door.edt_alert_email = "edt@northbridge.example"
    world.front_door.save()
    assert "no emergency duty team address" not in admin.get("/account/").content.decode()


def test_nobody_else_is_shown_the_duty_team_flag(world):
    for person in (world.mash, world.manager, world.hv, world.outsider):
        page = client_for(person).get("/account/").content.decode()
        assert "no emergency duty team address" not in page, person
