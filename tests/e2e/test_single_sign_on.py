"""Signing in with an organisation's account in real Chromium, through the
tests' real OpenID Connect provider: the way there and back must pass Front
Door's Content Security Policy (a blocked form shows in the console), and the
pages must be accessible and work without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SingleSignOn
from core.secrets import encrypt
from tests.accounts.oidc_provider.names import MFA
from tests.accounts.oidc_provider.server import start_provider
from tests.e2e.conftest import assert_accessible, shot

DOMAIN = "northbridge-hv.nhs.test"
HANNAH = f"hannah.vale@{DOMAIN}"
PASSWORD = "provider-password-for-tests"


@pytest.fixture(scope="module")
def running_provider(live_server):
    with start_provider(
        people=[
            {"username": "hannah", "email": HANNAH, "password": PASSWORD, "groups": [MFA]},
            {"username": "sam", "email": f"sam@{DOMAIN}", "password": PASSWORD, "groups": [MFA]},
        ],
        registrations=[
            {
                "name": "front door",
                "client_id": "front-door",
                "client_secret": "front-door-client-secret",
                "redirect_uri": f"{live_server.url}/sign-in/organisation/callback/",
            }
        ],
    ) as running:
        yield running


@pytest.fixture
def provider(world, running_provider):
    world.hv.email = HANNAH
    world.hv.save(update_fields=["email"])
    SingleSignOn.objects.create(
        agency=world.agency_a,
        provider_name="your NHS account",
        issuer=running_provider.issuer,
        client_id="front-door",
        encrypted_client_secret=encrypt("front-door-client-secret"),
        email_domains=DOMAIN,
        accept_provider_mfa=True,
        contact="your safeguarding lead on 01632 960 123",
    )
    return running_provider


def at_the_provider(page, username: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()


def test_a_health_visitor_signs_in_with_her_nhs_account(provider, new_page):
    page = new_page()
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in with your organisation's account"
    )
    assert_accessible(page, "organisation sign-in")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your work email address")
    assert_accessible(page, "organisation sign-in with an error")
    shot(page, "60-organisation-sign-in-error")

    page.get_by_label("Work email address").fill(HANNAH)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your NHS account")
    assert_accessible(page, "sign in with the organisation's provider")
    shot(page, "61-sign-in-with-provider")
    page.get_by_role("button", name="Sign in with your NHS account").click()
    at_the_provider(page, "hannah")

    expect(page).to_have_url(re.compile(r".*/referrals/.*"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    shot(page, "62-signed-in-with-organisation-account")


def test_someone_front_door_does_not_know_is_told_who_to_contact_without_javascript(
    provider, new_page
):
    page = new_page(javascript=False)
    page.goto("/sign-in/organisation/")
    page.get_by_label("Work email address").fill(f"sam@{DOMAIN}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Sign in with your NHS account").click()
    at_the_provider(page, "sam")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot sign in to Front Door with this account"
    )
    expect(page.get_by_text("Contact your safeguarding lead on 01632 960 123.")).to_be_visible()
    shot(page, "63-organisation-account-refused")
    accessible = new_page()
    accessible.goto("/sign-in/organisation/callback/")
    expect(accessible.get_by_role("heading", level=1)).to_have_text(
        "Signing in with your organisation's account did not work"
    )
    assert_accessible(accessible, "organisation sign-in did not work")
