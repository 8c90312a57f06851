"""Passkeys as a second factor, as far as they go without a browser.

The WebAuthn answers come from a passkey in software (soft_passkey.py), so
the server's real checks run: challenge, origin, relying party, signature.
tests/e2e/test_passkeys.py does the same in Chromium with its virtual
authenticator, through the page's own script.
"""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import passkeys
from accounts.views import CONFIRMED_AT_KEY
from audit.models import Action, AuditEvent
from audit.services import Origin
from tests.accounts.soft_passkey import SoftPasskey, options_on
from tests.accounts.test_two_factor import code_for, with_password
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _passkeys_for_the_test_client(settings):
    # The test client's pages come from http://testserver.
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://testserver"]


def confirmed(client: Client) -> Client:
    """As if the person had entered a code a moment ago."""
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time()
    session.save()
    return client


def add(client: Client, key: SoftPasskey, name: str = "Work laptop"):
    page = client.get("/account/passkeys/add/").content.decode()
    return client.post(
        "/account/passkeys/add/", {"name": name, "credential": key.create(options_on(page))}
    )


def with_a_passkey(user, name: str = "Work laptop") -> SoftPasskey:
    key = SoftPasskey()
    response = add(confirmed(client_for(user)), key, name)
    assert response.status_code == 302 and response["Location"] == "/account/"
    return key


def test_a_person_adds_a_named_passkey_and_sees_it_on_their_account(world):
    client = confirmed(client_for(world.hv))
    page = client.get("/account/").content.decode()
    assert "You have not added a passkey." in page and 'href="/account/passkeys/add/"' in page

    done = add(client, SoftPasskey(), "Work laptop")
    assert done["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert "Passkey ‘Work laptop’ added." in page
    assert '<th scope="row" class="govuk-table__header">Work laptop</th>' in page
    assert "Not used yet" in page
    passkey = WebAuthnCredential.objects.get(user=world.hv)
    assert passkey.name == "Work laptop" and passkey.confirmed and passkey.created_at
    event = AuditEvent.objects.get(actor=world.hv, action=Action.PASSKEY_ADDED)
    assert event.detail == {"passkey": "Work laptop", "passkey_id": passkey.pk}


def test_the_add_page_needs_a_name_and_says_passkeys_need_javascript(world):
    client = confirmed(client_for(world.hv))
    page = client.get("/account/passkeys/add/").content.decode()
    assert "To add a passkey, your browser needs JavaScript turned on" in page
    # The form is hidden until the script finds the browser can make passkeys,
    # and the script is a file of ours, not inline (the CSP allows no other).
    assert "<div data-passkey-available hidden>" in page
    assert '<script type="module" src="/static/js/passkeys.mjs"></script>' in page
    refused = client.post("/account/passkeys/add/", {"name": "  ", "credential": ""})
    text = refused.content.decode()
    assert 'class="govuk-error-summary"' in text and "Enter a name for the passkey" in text
    assert '<a href="#id_name">' in text and "<title>Error: Add a passkey" in text
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("", "Your browser did not make a passkey. Adding one needs JavaScript"),
        ("NotAllowedError", "The passkey was not added. Try again and follow"),
        ("InvalidStateError", "That passkey is already added to your account"),
        ("SecurityError", "The passkey was not added. Try again, or try another passkey"),
    ],
)
def test_when_the_browser_makes_no_passkey_the_page_says_why(world, problem, message):
    client = confirmed(client_for(world.hv))
    client.get("/account/passkeys/add/")
    response = client.post("/account/passkeys/add/", {"name": "Laptop", "problem": problem})
    text = response.content.decode()
    assert message in text and '<a href="#passkey-button">' in text
    assert not WebAuthnCredential.objects.exists()


def test_adding_a_passkey_needs_a_code_entered_in_the_last_few_minutes(world):
    client = client_for(world.hv)  # signed in, but not just now
    asked = client.get("/account/passkeys/add/")
    assert asked.status_code == 302
    assert asked["Location"].startswith(
        "/sign-in/code/?again=1&next=%2Faccount%2Fpasskeys%2Fadd%2F"
    )
    posted = client.post("/account/passkeys/add/", {"name": "Laptop", "credential": "{}"})
    assert posted["Location"].startswith("/sign-in/code/?again=1")
    device = TOTPDevice.objects.get(user=world.hv)
    client.post("/sign-in/code/", {"code": code_for(device), "again": "1"})
    assert client.get("/account/passkeys/add/").status_code == 200


def test_an_answer_for_another_challenge_or_site_adds_nothing(world):
    client = confirmed(client_for(world.hv))
    client.get("/account/passkeys/add/")
    stale = SoftPasskey().create(options_on(client.get("/account/passkeys/add/").content.decode()))
    client.get("/account/passkeys/add/")  # a new challenge replaces that one
    assert "The passkey was not added" in (
        client.post("/account/passkeys/add/", {"name": "A", "credential": stale}).content.decode()
    )
    elsewhere = SoftPasskey(origin="https://evil.example", rp_id="evil.example")
    options = options_on(client.get("/account/passkeys/add/").content.decode())
    options["rp"]["id"] = "evil.example"
    response = client.post(
        "/account/passkeys/add/", {"name": "B", "credential": elsewhere.create(options)}
    )
    assert "The passkey was not added" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.PASSKEY_ADDED).exists()


def test_the_code_page_offers_a_passkey_and_says_what_to_do_without_javascript(world):
    TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    with_a_passkey(world.hv)
    page = with_password(world.hv).get("/sign-in/code/").content.decode()
    assert "Use your passkey or a security code" in page
    assert ">Use a passkey</button>" in page and 'action="/sign-in/passkey/"' in page
    assert (
        "To use a passkey, your browser needs JavaScript turned on, and must support passkeys. "
        "If it does not, enter a security code instead" in page
    )
    assert '<script type="module" src="/static/js/passkeys.mjs"></script>' in page
    assert options_on(page)["allowCredentials"][0]["type"] == "public-key"


def test_someone_without_a_passkey_sees_the_code_page_as_before(world):
    TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    page = with_password(world.hv).get("/sign-in/code/").content.decode()
    assert "Enter your security code" in page
    assert "passkey" not in page.lower()


def test_a_person_signs_in_with_their_password_and_passkey(world):
    TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    key = with_a_passkey(world.hv)
    client = with_password(world.hv)
    answer = key.get(options_on(client.get("/sign-in/code/").content.decode()))
    before = client.session.session_key
    response = client.post("/sign-in/passkey/", {"credential": answer, "next": "/questions/"})
    assert response.status_code == 302 and response["Location"] == "/questions/"
    assert client.session.session_key != before  # a new session key with both factors in
    assert client.get("/questions/").status_code == 200
    passkey = WebAuthnCredential.objects.get(user=world.hv)
    assert passkey.last_used_at is not None and passkey.sign_count == 1
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    event = AuditEvent.objects.get(actor=world.hv, action=Action.TWO_FACTOR_PASSED)
    assert event.detail == {"method": "passkey", "passkey": "Work laptop", "passkey_id": passkey.pk}
    assert "Not used yet" not in client.get("/account/").content.decode()


def test_a_passkey_answer_works_once(world):
    key = with_a_passkey(world.hv)
    first = with_password(world.hv)
    answer = key.get(options_on(first.get("/sign-in/code/").content.decode()))
    assert first.post("/sign-in/passkey/", {"credential": answer}).status_code == 302
    second = with_password(world.hv)
    second.get("/sign-in/code/")
    replayed = second.post("/sign-in/passkey/", {"credential": answer})
    assert "Your passkey was not accepted" in replayed.content.decode()
    assert second.get("/questions/").status_code == 302  # still not signed in
    failed = AuditEvent.objects.get(actor=world.hv, action=Action.TWO_FACTOR_FAILED)
    assert failed.detail["method"] == "passkey"


def test_another_persons_passkey_does_not_sign_you_in(world):
    TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    with_a_passkey(world.hv)
    theirs = with_a_passkey(world.gp)
    client = with_password(world.hv)
    answer = theirs.get(options_on(client.get("/sign-in/code/").content.decode()))
    response = client.post("/sign-in/passkey/", {"credential": answer})
    assert "Your passkey was not accepted" in response.content.decode()
    assert client.get("/questions/").status_code == 302


def test_an_old_challenge_is_refused(world, settings):
    key = with_a_passkey(world.hv)
    client = with_password(world.hv)
    answer = key.get(options_on(client.get("/sign-in/code/").content.decode()))
    # As if the answer came after the browser itself would have given up.
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 0
    response = client.post("/sign-in/passkey/", {"credential": answer})
    assert "Your passkey was not accepted" in response.content.decode()
    assert AuditEvent.objects.get(action=Action.TWO_FACTOR_FAILED).detail == {
        "method": "passkey",
        "reason": "challenge expired",
    }


def test_a_cancelled_passkey_says_so_and_the_code_still_works(world):
    device = TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    with_a_passkey(world.hv)
    client = with_password(world.hv)
    client.get("/sign-in/code/")
    cancelled = client.post("/sign-in/passkey/", {"problem": "NotAllowedError"})
    text = cancelled.content.decode()
    assert 'class="govuk-error-summary"' in text and "Your passkey was not used" in text
    assert '<a href="#passkey-button">' in text
    assert client.post("/sign-in/code/", {"code": code_for(device)}).status_code == 302


def test_confirming_it_is_you_with_a_passkey_allows_changes(world):
    key = with_a_passkey(world.hv)
    client = client_for(world.hv)
    asked = client.get("/account/passkeys/add/")
    page = client.get(asked["Location"]).content.decode()
    assert "Confirm it is you" in page and 'name="again" value="1"' in page
    answer = key.get(options_on(page))
    response = client.post(
        "/sign-in/passkey/",
        {"credential": answer, "again": "1", "next": "/account/passkeys/add/"},
    )
    assert response["Location"] == "/account/passkeys/add/"
    assert client.get("/account/passkeys/add/").status_code == 200


def test_removing_a_passkey_needs_a_recent_code_and_is_audited(world):
    TOTPDevice.objects.create(user=world.hv, name="Authenticator app", confirmed=True)
    key = with_a_passkey(world.hv)
    passkey = WebAuthnCredential.objects.get(user=world.hv)
    path = f"/account/passkeys/{passkey.pk}/remove/"
    client = client_for(world.hv)
    assert client.get(path)["Location"].startswith("/sign-in/code/?again=1")
    assert client.post(path)["Location"].startswith("/sign-in/code/?again=1")
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()

    # Confirmed with the very passkey being removed: the session stays signed in.
    page = client.get(f"/sign-in/code/?again=1&next={path}").content.decode()
    client.post("/sign-in/passkey/", {"credential": key.get(options_on(page)), "again": "1"})
    assert "Remove passkey ‘Work laptop’?" in client.get(path).content.decode()
    done = client.post(path)
    assert done["Location"] == "/account/"
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    page = client.get("/account/").content.decode()
    assert "Passkey ‘Work laptop’ removed." in page
    event = AuditEvent.objects.get(actor=world.hv, action=Action.PASSKEY_REMOVED)
    assert event.detail == {"passkey": "Work laptop", "passkey_id": passkey.pk}

    # And it no longer signs anyone in.
    again = with_password(world.hv)
    assert "passkey" not in again.get("/sign-in/code/").content.decode().lower()


def test_nobody_can_remove_their_last_way_to_finish_signing_in(world):
    with_a_passkey(world.hv)
    TOTPDevice.objects.filter(user=world.hv).delete()  # a passkey and no app
    passkey = WebAuthnCredential.objects.get(user=world.hv)
    client = Client()
    client.force_login(world.hv)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id  # signed in with the passkey
    session[CONFIRMED_AT_KEY] = time.time()
    session.save()
    page = client.get("/account/").content.decode()
    assert f"/account/passkeys/{passkey.pk}/remove/" not in page
    assert "You cannot remove your only passkey" in page

    path = f"/account/passkeys/{passkey.pk}/remove/"
    assert "You cannot remove this passkey" in client.get(path).content.decode()
    assert "You cannot remove this passkey" in client.post(path).content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    with pytest.raises(passkeys.LastSecondFactor):
        passkeys.remove_passkey(user=world.hv, passkey_id=passkey.pk, origin=Origin())
    assert not AuditEvent.objects.filter(action=Action.PASSKEY_REMOVED).exists()


def test_the_app_can_go_only_while_a_passkey_stays(world):
    client = confirmed(client_for(world.hv))  # the app, and no passkey
    assert (
        "You cannot remove your authenticator app"
        in client.get("/account/authenticator/remove/").content.decode()
    )
    client.post("/account/authenticator/remove/")
    assert TOTPDevice.objects.filter(user=world.hv).exists()

    with_a_passkey(world.hv)
    client = confirmed(client_for(world.hv))  # verified with the app
    assert 'href="/account/authenticator/remove/"' in client.get("/account/").content.decode()
    assert client.post("/account/authenticator/remove/")["Location"] == "/account/"
    assert not TOTPDevice.objects.filter(user=world.hv).exists()
    assert AuditEvent.objects.filter(actor=world.hv, action=Action.AUTHENTICATOR_REMOVED).exists()
    # Verified with the app just removed, the session now rests on the passkey.
    assert client.get("/questions/").status_code == 200
    passkey = WebAuthnCredential.objects.get(user=world.hv)
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    # That passkey is now the last way in.
    path = f"/account/passkeys/{passkey.pk}/remove/"
    assert "You cannot remove this passkey" in client.post(path).content.decode()


def test_a_passkey_only_person_is_asked_for_a_passkey_or_a_recovery_code(world):
    from accounts.services import new_recovery_codes

    key = with_a_passkey(world.hv)
    TOTPDevice.objects.filter(user=world.hv).delete()
    codes = new_recovery_codes(world.hv)
    client = with_password(world.hv)
    page = client.get("/sign-in/code/").content.decode()
    assert "Enter one of the recovery codes" in page and "One of your recovery codes." in page
    assert client.post("/sign-in/code/", {"code": codes[0]}).status_code == 302
    other = with_password(world.hv)
    answer = key.get(options_on(other.get("/sign-in/code/").content.decode()))
    assert other.post("/sign-in/passkey/", {"credential": answer}).status_code == 302


def test_nobody_can_see_or_remove_another_persons_passkey(world):
    with_a_passkey(world.gp)
    theirs = WebAuthnCredential.objects.get(user=world.gp)
    client = confirmed(client_for(world.hv))
    assert client.get(f"/account/passkeys/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/account/passkeys/{theirs.pk}/remove/").status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_at_an_address_passkeys_do_not_answer_the_page_says_where_they_work(world, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost:8000"]
    client = confirmed(client_for(world.hv))
    page = client.get("/account/passkeys/add/").content.decode()
    assert "Passkeys work only at" in page and "http://localhost:8000/account/passkeys/add/" in page
    assert "data-options" not in page and "passkeys.mjs" not in page


def test_the_embedded_mode_gives_passkeys_to_localhost():
    from portal.settings import _passkey_host

    assert _passkey_host("127.0.0.1") == "localhost"
    assert _passkey_host("::1") == "localhost"
    assert _passkey_host("frontdoor.example.gov.uk") == "frontdoor.example.gov.uk"


FUZZ = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
answers = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["{}", "[]", "null", '{"id": "x", "rawId": "!!", "type": "public-key"}']),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["id", "rawId", "type", "response", "clientDataJSON"]), inner
            )
        ),
        max_leaves=8,
    ).map(json.dumps),
)


@FUZZ
@given(credential=answers, problem=st.text(max_size=80), name=st.text(max_size=80))
def test_passkey_forms_answer_any_input_without_a_server_error(world, credential, problem, name):
    with_password_only = with_password(world.hv)
    with_password_only.get("/sign-in/code/")
    body = {"credential": credential, "problem": problem, "name": name}
    assert with_password_only.post("/sign-in/passkey/", body).status_code < 500
    client = confirmed(client_for(world.hv))
    client.get("/account/passkeys/add/")
    assert client.post("/account/passkeys/add/", body).status_code < 500
