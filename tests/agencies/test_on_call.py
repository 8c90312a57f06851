"""The on-call rota: who is texted when, kept in the admin by each front
door's administrators, with its history."""

from __future__ import annotations

import datetime as dt

from agencies.models import OnCallRole, OnCallShift
from agencies.selectors import on_call_phones
from audit.models import Action, AuditEvent
from tests.conftest import client_for

EVENING = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


def shift(front_door, *, phone="07700 900 123", role=OnCallRole.DUTY_MANAGER, hours=(0, 15)):
    return OnCallShift.objects.create(
        front_door=front_door,
        role=role,
        name="Pat Duty",
        phone=phone,
        starts_at=EVENING + dt.timedelta(hours=hours[0]),
        ends_at=EVENING + dt.timedelta(hours=hours[1]),
    )


def test_who_is_on_call_runs_from_the_start_of_a_shift_to_just_before_its_end(world):
    shift(world.front_door)
    phones = lambda at: on_call_phones(  # noqa: E731 - read as a table below
        front_door_id=world.front_door.pk, roles=[OnCallRole.DUTY_MANAGER], at=at
    )
    assert phones(EVENING - dt.timedelta(seconds=1)) == []
    assert phones(EVENING) == ["07700900123"]
    assert phones(EVENING + dt.timedelta(hours=15, seconds=-1)) == ["07700900123"]
    assert phones(EVENING + dt.timedelta(hours=15)) == []


def test_only_the_role_and_the_front_door_asked_for_are_texted_and_each_phone_once(world):
    shift(world.front_door)
    shift(world.front_door, phone="07700900123", hours=(1, 5))  # the same phone, overlapping
    shift(world.front_door, phone="07700 900 456", role=OnCallRole.SENIOR_MANAGER)
    shift(world.other_front_door, phone="07700 900 789")
    at = EVENING + dt.timedelta(hours=2)
    duty = on_call_phones(front_door_id=world.front_door.pk, roles=["duty_manager"], at=at)
    both = on_call_phones(
        front_door_id=world.front_door.pk, roles=["duty_manager", "senior_manager"], at=at
    )
    assert duty == ["07700900123"]
    assert both == ["07700900123", "07700900456"]


def test_an_administrator_keeps_the_rota_in_the_admin_with_its_history(world):
    admin = client_for(world.admin)
    form = {
        "front_door": world.front_door.pk,
        "role": OnCallRole.DUTY_MANAGER,
        "name": "Pat Duty",
        "phone": "07700 900 123",
        "starts_at_0": "2026-12-01",
        "starts_at_1": "17:00",
        "ends_at_0": "2026-12-02",
        "ends_at_1": "08:00",
    }
    assert admin.post("/admin/agencies/oncallshift/add/", form).status_code == 302
    added = OnCallShift.objects.get()
    form["phone"] = "07700 900 456"
    admin.post(f"/admin/agencies/oncallshift/{added.pk}/change/", form)
    assert [h.phone for h in added.history.order_by("history_date")] == [
        "07700 900 123",
        "07700 900 456",
    ]
    assert (
        AuditEvent.objects.filter(
            action=Action.ADMIN_CHANGED, object_type="agencies.oncallshift"
        ).count()
        == 2
    )
    assert admin.post(f"/admin/agencies/oncallshift/{added.pk}/delete/").status_code in (302, 403)
    assert OnCallShift.objects.filter(pk=added.pk).exists()


def test_a_number_that_is_not_a_mobile_or_a_shift_that_ends_first_is_refused(world):
    admin = client_for(world.admin)
    page = admin.post(
        "/admin/agencies/oncallshift/add/",
        {
            "front_door": world.front_door.pk,
            "role": OnCallRole.DUTY_MANAGER,
            "name": "Pat Duty",
            "phone": "01632 960 000",
            "starts_at_0": "2026-12-02",
            "starts_at_1": "08:00",
            "ends_at_0": "2026-12-01",
            "ends_at_1": "17:00",
        },
    ).content.decode()
    assert "Enter a UK mobile number" in page
    assert not OnCallShift.objects.exists()


def test_another_front_doors_administrator_cannot_see_or_change_the_rota(world):
    from agencies.models import Role
    from tests.conftest import make_user

    theirs = shift(world.front_door)
    other_admin = make_user("admin.south", agency=world.other_front_door, role=Role.ADMINISTRATOR)
    client = client_for(other_admin)
    assert "Pat Duty" not in client.get("/admin/agencies/oncallshift/").content.decode()
    assert client.get(f"/admin/agencies/oncallshift/{theirs.pk}/change/").status_code in (302, 404)
    refused = client.post(
        "/admin/agencies/oncallshift/add/",
        {
            "front_door": world.front_door.pk,
            "role": OnCallRole.DUTY_MANAGER,
            "name": "Someone Else",
            "phone": "07700 900 999",
            "starts_at_0": "2026-12-01",
            "starts_at_1": "17:00",
            "ends_at_0": "2026-12-02",
            "ends_at_1": "08:00",
        },
    )
    assert refused.status_code == 200  # the form again: not one of their front doors
    assert not OnCallShift.objects.filter(name="Someone Else").exists()
