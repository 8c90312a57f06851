"""Passkeys in real Chromium, with the browser's own virtual authenticator.

Chromium's DevTools protocol can attach a virtual authenticator to a tab
(`WebAuthn.addVirtualAuthenticator`): a software passkey store that answers
navigator.credentials.create() and .get() exactly as a laptop's fingerprint
reader would, with no dialog to click. Here it is a CTAP2 platform
authenticator ("internal" transport) that keeps discoverable credentials
(resident keys) and verifies the user, so the pages, static/js/passkeys.mjs
and the server's WebAuthn checks all run for real.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from audit.models import Action, AuditEvent
from tests.e2e.conftest import (
    PASSWORD,
    assert_accessible,
    current_code,
    shot,
    sign_in,
    sign_out,
)


@pytest.fixture
def passkey_site(settings: Any, live_server: Any) -> None:
    """Passkeys for the test server's own address (localhost on a free port)."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A passkey store in this tab, as a laptop's built-in one would be."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                # Presence is confirmed at once: no one is there to touch it.
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def enter_password(page: Any, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_worker_adds_a_passkey_signs_in_with_it_and_a_removed_one_stops_working(
    people, new_page, passkey_site
):
    hv = people.hv
    page = new_page()
    cdp, authenticator = virtual_authenticator(page)
    sign_in(page, hv.username)  # password and the code from the app

    # Your account: add a passkey (the code was entered a moment ago).
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text("You have not added a passkey.")).to_be_visible()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    # With JavaScript the form shows and the "needs JavaScript" text goes.
    expect(page.get_by_text("To add a passkey, your browser needs JavaScript")).to_be_hidden()
    shot(page, "60-add-a-passkey")
    assert_accessible(page, "add a passkey")

    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the passkey")
    assert_accessible(page, "add a passkey with an error")
    assert (
        cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"] == []
    ), "no passkey is made before it has a name"

    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_text("Passkey ‘Work laptop’ added.")).to_be_visible()
    table = page.get_by_test_id("passkeys")
    expect(table.get_by_role("rowheader", name="Work laptop")).to_be_visible()
    expect(table).to_contain_text("Not used yet")
    shot(page, "61-account-with-a-passkey")
    assert_accessible(page, "your account with a passkey")
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1 and stored["credentials"][0]["isResidentCredential"]
    assert stored["credentials"][0]["rpId"] == "localhost"
    assert AuditEvent.objects.filter(actor=hv, action=Action.PASSKEY_ADDED).count() == 1

    # The same passkey twice: the browser knows it is there already.
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_label("Name this passkey").fill("Work laptop again")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("That passkey is already added")
    assert_accessible(page, "add a passkey that is already added")

    # Sign out, then in with the password and the passkey.
    sign_out(page)
    enter_password(page, hv.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey or a security code")
    shot(page, "62-use-a-passkey")
    assert_accessible(page, "code page with a passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("passkey|code"))
    used = AuditEvent.objects.get(
        actor=hv, action=Action.TWO_FACTOR_PASSED, detail__method="passkey"
    )
    assert used.detail["passkey"] == "Work laptop"
    page.goto("/account/")
    expect(page.get_by_test_id("passkeys")).not_to_contain_text("Not used yet")

    # A copy of the same passkey in another browser, at the code page, while
    # the person removes the passkey from Front Door in the first one.
    other = new_page()
    other_cdp, other_authenticator = virtual_authenticator(other)
    other_cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": other_authenticator, "credential": stored["credentials"][0]},
    )
    enter_password(other, hv.username)
    expect(other.get_by_role("button", name="Use a passkey")).to_be_visible()

    page.get_by_role("link", name=re.compile("Remove passkey Work laptop")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove passkey ‘Work laptop’?")
    shot(page, "63-remove-a-passkey")
    assert_accessible(page, "remove a passkey")
    page.get_by_role("button", name="Remove passkey").click()
    expect(page.get_by_text("Passkey ‘Work laptop’ removed.")).to_be_visible()
    expect(page.get_by_text("You have not added a passkey.")).to_be_visible()
    # Still signed in: the session was verified with the passkey just removed.
    page.goto("/questions/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("code|passkey"))
    assert AuditEvent.objects.filter(actor=hv, action=Action.PASSKEY_REMOVED).count() == 1

    # The removed passkey signs the challenge, and Front Door refuses it.
    other.get_by_role("button", name="Use a passkey").click()
    expect(other.get_by_role("alert")).to_contain_text("Your passkey was not accepted")
    shot(other, "64-removed-passkey-refused")
    assert_accessible(other, "code page with a refused passkey")
    assert AuditEvent.objects.filter(
        actor=hv, action=Action.TWO_FACTOR_FAILED, detail__method="passkey"
    ).exists()
    other.goto("/questions/")
    expect(other.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(other.get_by_role("button", name="Use a passkey")).to_have_count(0)


def test_without_javascript_the_code_page_says_to_use_a_code_and_the_code_works(
    people, new_page, passkey_site
):
    from django_otp_webauthn.models import WebAuthnCredential

    hv = people.hv
    WebAuthnCredential.objects.create(
        user=hv,
        name="Blue security key",
        credential_id=b"key-for-no-javascript",
        public_key=b"-",
        confirmed=True,
    )
    code = current_code(hv.username)  # the app, as well as the key
    page = new_page(javascript=False)
    enter_password(page, hv.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey or a security code")
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
    expect(page.get_by_text("To use a passkey, your browser needs JavaScript")).to_be_visible()
    shot(page, "65-code-page-without-javascript")
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("code|passkey"))

    # A browser with JavaScript but without passkeys shows the same words (and
    # axe, which needs JavaScript itself, checks them).
    older = new_page()
    older.add_init_script("delete window.PublicKeyCredential")
    enter_password(older, hv.username)
    expect(older.get_by_text("To use a passkey, your browser needs JavaScript")).to_be_visible()
    expect(older.get_by_role("button", name="Use a passkey")).to_be_hidden()
    assert_accessible(older, "code page with a passkey, in a browser without passkeys")
