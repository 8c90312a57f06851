"""Two-factor sign-in: a password alone opens nothing but the code page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from tests.conftest import submit
from tests.portal.test_permission_matrix import ADMIN_PAGES, API, PAGES, fill

PASSWORD = "a-long-test-password"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def with_password(user) -> Client:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    response = client.post(
        "/sign-in/", {"username": user.username, "password": PASSWORD, "next": "/questions/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/code/")
    return client


def test_the_password_leads_to_the_code_and_the_code_to_the_page_asked_for(world):
    device = app_for(world.hv)
    client = with_password(world.hv)
    page = client.get("/sign-in/code/?next=/questions/")
    assert "Enter your security code" in page.content.decode()

    wrong = client.post("/sign-in/code/", {"code": "000000", "next": "/questions/"})
    assert "Enter the correct security code" in wrong.content.decode()
    assert 'class="govuk-error-summary"' in wrong.content.decode()

    # A person retyping takes longer than the one-second wait after one failure.
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post("/sign-in/code/", {"code": code_for(device), "next": "/questions/"})
    assert right.status_code == 302 and right["Location"] == "/questions/"
    assert client.get("/questions/").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=world.hv).values_list("action", flat=True))
    assert Action.TWO_FACTOR_FAILED in actions and Action.TWO_FACTOR_PASSED in actions


@pytest.mark.parametrize("typed", ["12", "12345", "1234567", "123 4567 89"])
def test_a_code_of_the_wrong_length_is_asked_for_again_as_six_digits(world, typed):
    device = app_for(world.hv)
    client = with_password(world.hv)
    page = client.post("/sign-in/code/", {"code": typed}).content.decode()
    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in page
    assert "Enter the correct security code" not in page
    # Not a guess at the code: it does not count towards slowing down.
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_code_cannot_be_used_twice(world):
    device = app_for(world.hv)
    code = code_for(device)
    first = with_password(world.hv)
    assert first.post("/sign-in/code/", {"code": code}).status_code == 302
    second = with_password(world.hv)
    assert (
        "Enter the correct security code"
        in second.post("/sign-in/code/", {"code": code}).content.decode()
    )


def test_repeated_wrong_codes_are_slowed_down(world):
    device = app_for(world.hv)
    client = with_password(world.hv)
    for _ in range(3):
        client.post("/sign-in/code/", {"code": "123456"})
    # Even the right code now waits: each failure doubles the wait.
    response = client.post("/sign-in/code/", {"code": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()


def test_next_cannot_send_people_to_another_site(world):
    device = app_for(world.hv)
    client = with_password(world.hv)
    response = client.post(
        "/sign-in/code/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(("template", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_with_a_password_only_every_page_asks_for_the_code(world, template, expected):
    app_for(world.mash)
    client = with_password(world.mash)
    referral = submit(world.hv)
    path = fill(template, world, referral, referral)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/code/?next=")


@pytest.mark.parametrize("path", [p for p, _ in ADMIN_PAGES if "/A/" not in p and "/H/" not in p])
def test_with_a_password_only_an_administrator_does_not_reach_the_admin(world, path):
    app_for(world.admin)
    client = with_password(world.admin)
    path = path.replace("/F/", f"/{world.front_door.deadline_policy.pk}/")
    response = client.get(path)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("method", "template", "expected"), API, ids=[f"{m} {p}" for m, p, _ in API]
)
def test_with_a_password_only_the_api_refuses_the_session(world, method, template, expected):
    app_for(world.mash)
    client = with_password(world.mash)
    referral = submit(world.hv)
    response = getattr(client, method)(fill(template, world, referral, referral))
    assert response.status_code == 403
    assert "security code" in response.json()["detail"]


def test_someone_without_an_app_sets_one_up_and_gets_recovery_codes_once(world):
    client = with_password(world.hv)
    response = client.get("/sign-in/code/", follow=True)
    page = response.content.decode()
    assert "Set up your authenticator app" in page
    assert (
        'src="data:image/svg+xml;base64,' in page
        and 'alt="QR code for your authenticator app"' in page
    )
    shown = re.search(r'data-testid="setup-key">([A-Z2-7 ]+)<', page)
    assert shown is not None
    key = shown.group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=world.hv, confirmed=False)
    import base64

    assert base64.b32decode(key) == device.bin_key

    refused = client.post("/sign-in/set-up/", {"code": "12345"})
    assert "Enter the code as 6 digits" in refused.content.decode()
    assert client.get("/questions/").status_code == 302  # still not signed in

    done = client.post(
        "/sign-in/set-up/", {"code": code_for(device), "next": "/questions/"}, follow=True
    )
    page = done.content.decode()
    assert "Save your recovery codes" in page
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == 10
    assert client.get("/questions/").status_code == 200
    # Shown once only.
    assert client.get("/sign-in/recovery-codes/")["Location"] == "/account/"
    assert AuditEvent.objects.filter(actor=world.hv, action=Action.TWO_FACTOR_SET_UP).count() == 1

    # A recovery code works once, in place of the app.
    again = with_password(world.hv)
    used = again.post("/sign-in/code/", {"code": codes[0]}, follow=True)
    assert "You have 9 left" in used.content.decode()
    third = with_password(world.hv)
    assert (
        "Enter the correct security code"
        in third.post("/sign-in/code/", {"code": codes[0]}).content.decode()
    )


def test_someone_with_an_app_cannot_replace_it_before_entering_a_code(world):
    app_for(world.hv)
    client = with_password(world.hv)
    response = client.get("/sign-in/set-up/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code/")


def test_new_recovery_codes_replace_the_old_ones(world):
    from tests.conftest import client_for

    client = client_for(world.hv)
    assert "Recovery codes left" in client.get("/account/").content.decode()
    # Signed in a while ago: confirm with a fresh code first.
    asked = client.post("/account/recovery-codes/")
    assert asked["Location"].startswith("/sign-in/code/?again=1")
    device = TOTPDevice.objects.get(user=world.hv)
    confirmed = client.post(
        "/sign-in/code/", {"code": code_for(device), "again": "1", "next": "/account/"}
    )
    assert confirmed["Location"] == "/account/"
    first = client.post("/account/recovery-codes/", follow=True).content.decode()
    old = re.findall(r"<li><code>([a-z0-9]+)</code></li>", first)
    client.post("/account/recovery-codes/")
    tokens = set(StaticDevice.objects.get(user=world.hv).token_set.values_list("token", flat=True))
    assert len(tokens) == 10 and not tokens & set(old)


def test_the_demo_accounts_sign_in_with_the_printed_code(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_code", "mash.demo", stdout=out)
    client = Client()
    client.post("/sign-in/", {"username": "mash.demo", "password": "front-door-demo"})
    response = client.post("/sign-in/code/", {"code": out.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/front-door/queue/").status_code == 200


def test_replacing_the_app_needs_a_fresh_code(world):
    from tests.conftest import client_for

    client = client_for(world.hv)
    response = client.get("/sign-in/set-up/?next=/account/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code/?again=1")
    page = client.get(response["Location"]).content.decode()
    assert "Confirm it is you" in page
    assert not TOTPDevice.objects.filter(user=world.hv, confirmed=False).exists()


def test_a_recovery_code_does_not_count_as_a_wrong_app_code(world):
    from accounts.services import new_recovery_codes

    device = app_for(world.hv)
    codes = new_recovery_codes(world.hv)
    client = with_password(world.hv)
    assert client.post("/sign-in/code/", {"code": codes[0]}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_session_key_changes_once_the_second_factor_is_in(world):
    from django.conf import settings

    device = app_for(world.hv)
    client = with_password(world.hv)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/sign-in/code/", {"code": code_for(device), "next": "/questions/"})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    # The key someone saw before the second factor opens nothing now.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get("/questions/").status_code == 302
