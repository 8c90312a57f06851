"""The admin is no back door: a front door's administrator sees and changes
only their own front door's agencies, people and rules, never a secret, and
every change is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accounts.services import authenticator_for
from agencies.models import Agency, AgencyKind, ApiClient, Membership, Role, Webhook
from audit.models import Action, AuditEvent
from core.secrets import encrypt
from referrals.models import DeadlinePolicy
from tests.conftest import client_for, make_user


@pytest.fixture
def southport(world):
    """The other local authority's front door, with a partner agency, an
    administrator and a health visitor of its own."""
    south_agency = Agency.objects.create(
        name="Southport Health Visiting",
        kind=AgencyKind.HEALTH_VISITING,
        front_door=world.other_front_door,
    )
    DeadlinePolicy.objects.create(front_door=world.other_front_door)
    return {
        "agency": south_agency,
        "admin": make_user("admin.south", agency=world.other_front_door, role=Role.ADMINISTRATOR),
        "hv": make_user("hv.south", agency=south_agency, role=Role.REFERRER),
    }


def test_a_front_door_administrator_is_not_a_superuser_and_sees_only_their_agencies(
    world, southport
):
    assert not world.admin.is_superuser and not world.admin.is_staff
    admin = client_for(world.admin)
    listing = admin.get("/admin/agencies/agency/").content.decode()
    assert "Northbridge Health Visiting" in listing
    assert "Southport" not in listing
    assert admin.get(f"/admin/agencies/agency/{southport['agency'].pk}/change/").status_code in (
        302,
        404,
    )
    assert admin.get(f"/admin/agencies/agency/{southport['agency'].pk}/history/").status_code == 404


def test_an_administrator_cannot_give_themselves_a_place_at_another_front_door(world, southport):
    admin = client_for(world.admin)
    response = admin.post(
        "/admin/agencies/membership/add/",
        {
            "user": world.admin.pk,
            "agency": world.other_front_door.pk,
            "role": Role.PRACTITIONER,
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=world.admin, agency=world.other_front_door).exists()


def test_an_administrator_cannot_issue_a_key_for_another_front_doors_agency(world, southport):
    admin = client_for(world.admin)
    admin.post("/admin/agencies/apiclient/add/", {"agency": southport["agency"].pk, "name": "x"})
    assert not ApiClient.objects.filter(agency=southport["agency"]).exists()


def test_authenticator_keys_and_api_tokens_are_not_in_the_admin(world):
    authenticator_for(world.hv)
    admin = client_for(world.admin)
    for path in (
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/authtoken/tokenproxy/",
    ):
        assert admin.get(path).status_code == 404, path


def test_people_of_another_front_door_are_not_found_and_a_shared_person_cannot_be_changed(
    world, southport
):
    admin = client_for(world.admin)
    assert admin.get(f"/admin/auth/user/{southport['hv'].pk}/change/").status_code in (302, 404)
    # A person who works at both front doors: changing their password or email
    # here would open the other front door's records to whoever did it.
    Membership.objects.create(user=southport["hv"], agency=world.agency_a, role=Role.REFERRER)
    page = admin.get(f"/admin/auth/user/{southport['hv'].pk}/change/")
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    admin.post(
        f"/admin/auth/user/{southport['hv'].pk}/change/",
        {"username": "hijacked", "email": "attacker@example.test"},
    )
    southport["hv"].refresh_from_db()
    assert southport["hv"].username == "hv.south"


def test_an_administrator_never_sees_superuser_or_permission_fields(world):
    page = client_for(world.admin).get(f"/admin/auth/user/{world.hv.pk}/change/").content.decode()
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in page


def test_adding_a_person_takes_their_first_membership_at_this_front_door(world, southport):
    admin = client_for(world.admin)
    response = admin.post(
        "/admin/auth/user/add/",
        {
            "username": "new.visitor",
            "password1": "a-long-enough-passphrase-91",
            "password2": "a-long-enough-passphrase-91",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-agency": world.agency_a.pk,
            "memberships-0-role": Role.REFERRER,
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = get_user_model().objects.get(username="new.visitor")
    assert list(person.memberships.values_list("agency_id", flat=True)) == [world.agency_a.pk]
    assert not person.is_superuser
    added = AuditEvent.objects.filter(action=Action.ADMIN_CHANGED, actor=world.admin)
    assert added.filter(object_type="auth.user", detail__what="added").exists()


def test_every_change_in_the_admin_is_audited(world):
    admin = client_for(world.admin)
    admin.post(
        f"/admin/agencies/agency/{world.agency_a.pk}/change/",
        {
            "name": "Northbridge Health Visiting Service",
            "kind": AgencyKind.HEALTH_VISITING,
            "front_door": world.front_door.pk,
            "is_active": "on",
            "teams-TOTAL_FORMS": "0",
            "teams-INITIAL_FORMS": "0",
            "teams-MIN_NUM_FORMS": "0",
            "teams-MAX_NUM_FORMS": "1000",
        },
    )
    event = AuditEvent.objects.get(action=Action.ADMIN_CHANGED, actor=world.admin)
    assert event.object_type == "agencies.agency" and event.object_ref == str(world.agency_a.pk)
    assert event.detail["what"] == "changed" and event.via == "admin"


def test_an_administrator_cannot_delete_only_switch_off(world):
    admin = client_for(world.admin)
    hook = Webhook.objects.create(
        agency=world.agency_a,
        url="https://ehr.example.org/",
        encrypted_secret=encrypt("s"),
        created_at="2026-12-01T09:00:00Z",
    )
    assert admin.get(f"/admin/agencies/webhook/{hook.pk}/delete/").status_code == 403
    assert admin.get("/admin/notifications/notification/").status_code == 200


def test_a_lost_phone_is_handled_without_seeing_a_key(world):
    authenticator_for(world.hv)
    admin = client_for(world.admin)
    admin.post(
        "/admin/auth/user/",
        {"action": "make_them_set_up_their_second_factor_again", "_selected_action": [world.hv.pk]},
    )
    from django_otp import devices_for_user

    assert list(devices_for_user(world.hv, confirmed=None)) == []
    assert AuditEvent.objects.filter(
        action=Action.SECOND_FACTOR_RESET, actor=world.admin, object_ref=world.hv.username
    ).exists()


@pytest.mark.parametrize("persona", ["hv", "mash", "manager", "outsider"])
def test_people_who_administer_nothing_are_sent_to_sign_in_not_shown_the_admin(world, persona):
    response = client_for(getattr(world, persona)).get("/admin/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]


def test_the_deployments_superuser_sees_every_front_door(world, southport):
    root = get_user_model().objects.create_superuser("root", "root@example.test", None)
    listing = client_for(root).get("/admin/agencies/agency/").content.decode()
    assert "Southport Health Visiting" in listing and "Northbridge Health Visiting" in listing
