"""Signing out a session nobody is using, with a warning, without losing work."""

from __future__ import annotations

import time

from django.test import Client, override_settings

from accounts.middleware import LAST_ACTIVE_KEY
from audit.models import Action, AuditEvent
from tests.conftest import client_for


def idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_ACTIVE_KEY] = time.time() - seconds
    session.save()


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_an_unused_session_is_signed_out_and_told_why(world):
    client = client_for(world.hv)
    assert client.get("/questions/").status_code == 200
    idle_for(client, 1801)
    response = client.get("/questions/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fquestions%2F%3Fpage%3D2"
    page = client.get(response["Location"]).content.decode()
    assert "not used for 30 minutes" in page
    assert client.get("/questions/").status_code == 302
    assert AuditEvent.objects.filter(actor=world.hv, action=Action.TIMED_OUT).count() == 1


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_using_a_page_starts_the_time_again_but_a_background_refresh_does_not(world):
    client = client_for(world.manager)
    idle_for(client, 1700)
    client.get("/front-door/dashboard/", HTTP_X_FRONT_DOOR_BACKGROUND="1")
    assert (
        90
        <= client.get("/session/keep-alive/", HTTP_X_FRONT_DOOR_BACKGROUND="1").json()[
            "seconds_left"
        ]
        <= 100
    )
    client.get("/front-door/dashboard/")
    assert (
        client.get("/session/keep-alive/", HTTP_X_FRONT_DOOR_BACKGROUND="1").json()["seconds_left"]
        >= 1790
    )


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_stay_signed_in_starts_the_time_again(world):
    client = client_for(world.hv)
    idle_for(client, 1750)
    assert client.post("/session/keep-alive/").json()["seconds_left"] == 1800
    idle_for(client, 0)
    assert client.get("/questions/").status_code == 200


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_a_background_request_after_the_time_out_is_told_it_is_signed_out(world):
    client = client_for(world.manager)
    idle_for(client, 1900)
    response = client.get("/session/keep-alive/", HTTP_X_FRONT_DOOR_BACKGROUND="1")
    assert response.json() == {"signed_out": True, "seconds_left": 0}
    assert client.get("/questions/").status_code == 302
    api = client.get("/api/v1/referrals/")
    assert api.status_code in (401, 403)


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_signed_in_pages_carry_the_warning_and_the_sign_in_page_does_not(world):
    page = client_for(world.hv).get("/questions/").content.decode()
    assert 'data-module="app-session-timeout"' in page and 'data-timeout="1800"' in page
    assert "app-session-timeout" not in Client().get("/sign-in/").content.decode()


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_work_typed_before_the_time_out_is_offered_back_to_the_same_person(world):
    client = client_for(world.hv)
    client.post("/referrals/new/")
    from referrals.models import Draft

    draft = Draft.objects.get(author=world.hv)
    path = f"/referrals/drafts/{draft.pk}/concern/"
    client.get(path)  # the page as the person opened it, with its CSRF token
    idle_for(client, 1801)
    late = client.post(
        path,
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "concern": "Baby seen with a <b>bruise</b> on the cheek",
        },
    )
    assert late.status_code == 302 and late["Location"].startswith("/sign-in/")
    assert "What you had just typed is kept" in client.get(late["Location"]).content.decode()

    from tests.conftest import sign_in

    sign_in(client, world.hv)
    page = client.get(path).content.decode()
    assert "You were signed out before this page was saved" in page
    assert 'name="concern" value="Baby seen with a &lt;b&gt;bruise&lt;/b&gt; on the cheek"' in page
    # Offered once: the next visit is the page as it is.
    assert "You were signed out before" not in client.get(path).content.decode()


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_typed_work_is_never_offered_to_someone_else(world):
    client = client_for(world.hv)
    client.post("/referrals/new/")
    from referrals.models import Draft

    path = f"/referrals/drafts/{Draft.objects.get(author=world.hv).pk}/concern/"
    client.get(path)
    idle_for(client, 1801)
    client.post(
        path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "concern": "private words"}
    )
    from tests.conftest import sign_in

    sign_in(client, world.gp)
    assert "private words" not in client.get(path).content.decode()
    assert "private words" not in client.get("/questions/").content.decode()


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_a_forged_late_post_keeps_nothing(world):
    client = Client(enforce_csrf_checks=True)
    from tests.conftest import sign_in

    sign_in(client, world.hv)
    idle_for(client, 1801)
    client.post("/referrals/new/", {"concern": "planted"})
    from accounts.middleware import RESUME_KEY

    assert RESUME_KEY not in client.session


def test_the_warning_check_after_signing_out_elsewhere_says_signed_out(world):
    client = client_for(world.hv)
    client.post("/sign-out/")
    response = client.get("/session/keep-alive/", HTTP_X_FRONT_DOOR_BACKGROUND="1")
    assert response.status_code == 200 and response.json() == {
        "signed_out": True,
        "seconds_left": 0,
    }
    assert client.post("/session/keep-alive/").json()["signed_out"] is True


@override_settings(SESSION_IDLE_TIMEOUT=1800)
def test_passwords_typed_into_the_admin_are_never_kept(world):
    from accounts.middleware import RESUME_KEY

    client = client_for(world.admin)
    idle_for(client, 1801)
    client.post(
        "/admin/password_change/",
        {
            "old_password": "secret-old",
            "new_password1": "secret-new",
            "new_password2": "secret-new",
        },
    )
    assert RESUME_KEY not in client.session


def test_a_session_ends_a_working_day_after_signing_in_however_busy(world, settings):
    import time as clock

    from accounts.middleware import SIGNED_IN_AT_KEY

    settings.SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
    client = client_for(world.mash)
    session = client.session
    session[SIGNED_IN_AT_KEY] = clock.time() - 10 * 60 * 60 - 60
    session.save()
    response = client.get("/front-door/queue/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_pages_for_signed_in_people_are_never_kept_by_a_browser_or_proxy(world):
    from tests.conftest import submit

    referral = submit(world.hv)
    response = client_for(world.hv).get(f"/referrals/{referral.reference}/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
