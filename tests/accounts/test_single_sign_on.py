"""Signing in with an organisation's account (OpenID Connect), against a real
provider.

The provider (tests/accounts/oidc_provider) runs as a process of its own.
Front Door reads its discovery document, redeems codes at its token endpoint
and fetches its keys over HTTP; the person signs in on the provider's own
page through `requests`, which keeps the provider's cookies as a browser
would. Nothing is mocked: every ID token here is signed by the provider's
key, including the ones Front Door must refuse.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc.jwk import RSAKey

from accounts.models import IdentifyBy, ProviderDevice, SingleSignOn, SingleSignOnIdentity
from accounts.oidc import _cache_key
from accounts.services import withdraw_provider_second_factor
from agencies.models import Membership
from audit.models import Action, AuditEvent
from core.secrets import encrypt
from tests.accounts.oidc_provider.names import EMAIL_NOT_VERIFIED, EXPIRED, MFA, WRONG_AUDIENCE
from tests.accounts.oidc_provider.server import start_provider
from tests.conftest import sign_in
from tests.faults.servers import free_port

PASSWORD = "provider-password-for-tests"
CALLBACK = "http://testserver/sign-in/organisation/callback/"
DOMAIN = "northbridge-hv.nhs.test"
HANNAH = f"hannah.vale@{DOMAIN}"
LENA = f"lena.lead@{DOMAIN}"
SECRET = "front-door-client-secret"

PEOPLE = [
    # The health visitor: the provider checked two factors.
    {"username": "hannah", "email": HANNAH, "groups": [MFA]},
    # Her agency's safeguarding lead: a password only, at the provider.
    {"username": "lena", "email": LENA, "groups": []},
    # Someone at the provider whom Front Door has never heard of.
    {"username": "sam", "email": f"sam.someone@{DOMAIN}", "groups": [MFA]},
    # An account at the provider claiming Hannah's address, never verified.
    {"username": "claims-hannah", "email": HANNAH, "groups": [MFA, EMAIL_NOT_VERIFIED]},
]
REGISTRATIONS = [
    {"name": "front door", "client_id": "front-door"},
    {"name": WRONG_AUDIENCE, "client_id": "front-door-wrong-audience"},
    {"name": EXPIRED, "client_id": "front-door-expired"},
]


@pytest.fixture(scope="module")
def provider():
    with start_provider(
        people=[{**person, "password": PASSWORD} for person in PEOPLE],
        registrations=[
            {**registration, "client_secret": SECRET, "redirect_uri": CALLBACK}
            for registration in REGISTRATIONS
        ],
    ) as running:
        yield running


def configure(world, provider, **overrides) -> SingleSignOn:
    """The health visiting service signs in with its NHS accounts."""
    world.hv.email = HANNAH
    world.hv.save(update_fields=["email"])
    world.lead_a.email = LENA
    world.lead_a.save(update_fields=["email"])
    fields = {
        "agency": world.agency_a,
        "provider_name": "your NHS account",
        "issuer": provider.issuer,
        "client_id": "front-door",
        "client_secret": SECRET,
        "scopes": "openid email",
        "email_domains": DOMAIN,
        "accept_provider_mfa": True,
        "mfa_methods": "mfa",
        "contact": "your safeguarding lead, Lena, on 01632 960 123",
        **overrides,
    }
    return SingleSignOn.objects.create(**fields)


def leave_for_provider(client: Client, provider, *, email: str = HANNAH, **extra) -> str:
    """Type the work email at Front Door; return where its button leads."""
    asked = client.post("/sign-in/organisation/", {"email": email, **extra})
    assert asked.status_code == 200, asked.content.decode()
    page = asked.content.decode()
    assert "Sign in with your NHS account" in page
    found = re.search(r'<a href="([^"]+)" role="button"', page)
    assert found is not None, page
    authorize = html.unescape(found.group(1))
    assert authorize.startswith(provider.issuer + "/authorize/")
    return authorize


def at_provider(provider, authorize_url: str, *, username: str) -> str:
    """Sign in on the provider's own page, as a browser would, and return
    where the provider sends the person back to (Front Door's callback)."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.url.startswith(provider.login_url), page.url
    signed_in = browser.post(
        page.url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text
    back = browser.get(
        requests.compat.urljoin(page.url, signed_in.headers["Location"]),
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text
    assert back.headers["Location"].startswith(CALLBACK)
    return back.headers["Location"]


def come_back(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def through_provider(client: Client, provider, *, username: str, email: str = HANNAH):
    return come_back(
        client,
        at_provider(provider, leave_for_provider(client, provider, email=email), username=username),
    )


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def refusals():
    return AuditEvent.objects.filter(action=Action.SINGLE_SIGN_ON_REFUSED)


# --- The journey ---------------------------------------------------------------


def test_the_sign_in_page_offers_the_organisation_account_only_once_one_is_configured(
    world, provider
):
    assert (
        "Sign in with your organisation's account" not in Client().get("/sign-in/").content.decode()
    )
    configure(world, provider)
    page = Client().get("/sign-in/?next=/questions/").content.decode()
    assert "Sign in with your organisation's account" in page
    assert 'href="/sign-in/organisation/?next=/questions/"' in page


def test_a_health_visitor_signs_in_with_her_nhs_account_through_the_real_provider(world, provider):
    configure(world, provider)
    client = Client()
    authorize = leave_for_provider(client, provider)
    asked = parse_qs(urlsplit(authorize).query)
    # The code flow only, with PKCE (S256), a state and a nonce; never implicit.
    assert asked["response_type"] == ["code"]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) >= 43
    assert asked["state"][0] and asked["nonce"][0]
    assert asked["redirect_uri"] == [CALLBACK]
    assert asked["login_hint"] == [HANNAH]
    assert set(asked["scope"][0].split()) == {"openid", "email"}

    back = come_back(client, at_provider(provider, authorize, username="hannah"))

    assert back.status_code == 302 and back["Location"] == "/"
    assert signed_in_user_id(client) == str(world.hv.pk)
    # Her agency accepts the provider's two factors, and it asserted them:
    # no Front Door code, and every page opens.
    assert client.get("/questions/").status_code == 200
    assert client.get("/", follow=True).status_code == 200
    event = AuditEvent.objects.get(action=Action.SINGLE_SIGN_ON, actor=world.hv)
    assert event.detail["agency"] == world.agency_a.name
    assert event.detail["issuer"] == provider.issuer
    assert event.detail["subject"] == provider.subjects["hannah"]
    assert event.detail["amr"] == ["pwd", "mfa"] and event.detail["acr"] == "aal2"
    assert event.detail["second_factor"] == "provider"
    passed = AuditEvent.objects.get(action=Action.TWO_FACTOR_PASSED, actor=world.hv)
    assert passed.detail["amr"] == ["pwd", "mfa"]
    assert AuditEvent.objects.filter(action=Action.SIGNED_IN, actor=world.hv).exists()


def test_the_page_asked_for_before_signing_in_opens_afterwards(world, provider):
    configure(world, provider)
    client = Client()
    start = client.get("/sign-in/organisation/?next=/questions/")
    assert 'name="next" value="/questions/"' in start.content.decode()
    authorize = leave_for_provider(client, provider, next="/questions/")
    back = come_back(client, at_provider(provider, authorize, username="hannah"))
    assert back["Location"] == "/questions/"


def test_keys_the_provider_has_rotated_away_from_are_read_again(world, provider):
    configure(world, provider)
    # Front Door last read the provider's keys before it rotated them.
    retired = RSAKey.generate_key(2048, parameters={"kid": "retired-key"})
    cache.set(
        _cache_key("jwks", f"{provider.issuer}/.well-known/jwks.json"),
        {"keys": [retired.as_dict(private=False)]},
    )
    client = Client()
    assert through_provider(client, provider, username="hannah").status_code == 302
    assert signed_in_user_id(client) == str(world.hv.pk)


# --- The second factor ------------------------------------------------------------


def test_without_two_factors_at_the_provider_front_door_asks_for_its_own_code(world, provider):
    configure(world, provider)
    device = TOTPDevice.objects.create(user=world.lead_a, name="Authenticator app", confirmed=True)
    client = Client()

    back = through_provider(client, provider, username="lena", email=LENA)

    assert signed_in_user_id(client) == str(world.lead_a.pk)
    assert back["Location"] == "/sign-in/code/?next=%2F"
    held = client.get("/questions/")
    assert held.status_code == 302 and held["Location"].startswith("/sign-in/code/")
    event = AuditEvent.objects.get(action=Action.SINGLE_SIGN_ON, actor=world.lead_a)
    assert event.detail["amr"] == ["pwd"]
    assert event.detail["second_factor"] == "front door security code"
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/sign-in/code/", {"code": code, "next": "/questions/"}).status_code == 302
    assert client.get("/questions/").status_code == 200


def test_someone_with_no_authenticator_app_sets_one_up_after_a_password_only_provider(
    world, provider
):
    configure(world, provider)
    client = Client()
    back = through_provider(client, provider, username="lena", email=LENA)
    code_page = client.get(back["Location"])
    assert code_page.status_code == 302 and code_page["Location"].startswith("/sign-in/set-up/")


def test_an_agency_that_does_not_accept_the_providers_two_factors_still_asks_for_a_code(
    world, provider
):
    configure(world, provider, accept_provider_mfa=False)
    client = Client()
    back = through_provider(client, provider, username="hannah")
    assert back["Location"].startswith("/sign-in/code/")
    assert client.get("/questions/")["Location"].startswith("/sign-in/code/")
    assert not ProviderDevice.objects.exists()


def test_methods_the_agency_does_not_count_as_two_factors_are_not_enough(world, provider):
    configure(world, provider, mfa_methods="N3_SMARTCARD, FIDO2")
    client = Client()
    back = through_provider(client, provider, username="hannah")
    assert back["Location"].startswith("/sign-in/code/")


def test_withdrawing_the_providers_two_factors_asks_those_signed_in_for_a_code(world, provider):
    single_sign_on = configure(world, provider)
    client = Client()
    through_provider(client, provider, username="hannah")
    assert client.get("/questions/").status_code == 200

    assert withdraw_provider_second_factor(single_sign_on=single_sign_on) == 1

    held = client.get("/questions/")
    assert held.status_code == 302 and held["Location"].startswith("/sign-in/code/")


def test_a_second_sign_in_without_two_factors_does_not_inherit_the_first(world, provider):
    configure(world, provider)
    hannah_at_fd = Client()
    through_provider(hannah_at_fd, provider, username="hannah")
    assert hannah_at_fd.get("/questions/").status_code == 200
    single_sign_on = SingleSignOn.objects.get()
    single_sign_on.accept_provider_mfa = False
    single_sign_on.save()
    through_provider(hannah_at_fd, provider, username="hannah")
    assert hannah_at_fd.get("/questions/")["Location"].startswith("/sign-in/code/")
    # The provider's device is nothing she holds: with no app or passkey of
    # her own, the code page sends her to set one up.
    code_page = hannah_at_fd.get("/sign-in/code/?next=/questions/")
    assert code_page.status_code == 302
    assert code_page["Location"].startswith("/sign-in/set-up/")


# --- Who is refused ----------------------------------------------------------------


def test_someone_front_door_does_not_know_is_told_who_to_contact_and_the_attempt_audited(
    world, provider
):
    configure(world, provider)
    client = Client()

    refused = through_provider(client, provider, username="sam", email=f"sam.someone@{DOMAIN}")

    page = refused.content.decode()
    assert refused.status_code == 403
    assert "You cannot sign in to Front Door with this account" in page
    assert "Front Door has no account for you at Northbridge Health Visiting" in page
    assert "Contact your safeguarding lead, Lena, on 01632 960 123." in page
    assert signed_in_user_id(client) is None
    event = refusals().get()
    assert event.object_ref == world.agency_a.name
    assert event.detail["reason"] == "no person at Front Door has this identity"
    assert event.detail["email"] == f"sam.someone@{DOMAIN}"
    assert event.detail["subject"] == provider.subjects["sam"]
    assert not get_user_model().objects.filter(email__iexact=f"sam.someone@{DOMAIN}").exists()
    assert Membership.objects.filter(agency=world.agency_a).count() == 2


def test_an_email_the_provider_did_not_verify_is_refused_even_when_it_names_someone(
    world, provider
):
    configure(world, provider)
    client = Client()
    refused = through_provider(client, provider, username="claims-hannah")
    assert refused.status_code == 403
    assert "did not confirm your email address" in refused.content.decode()
    assert signed_in_user_id(client) is None
    event = refusals().get()
    assert event.detail["email_verified"] is False
    assert event.detail["reason"] == "the provider did not confirm the email address"


def test_someone_whose_membership_has_ended_is_refused(world, provider):
    configure(world, provider)
    Membership.objects.filter(user=world.hv).update(is_active=False)
    client = Client()
    refused = through_provider(client, provider, username="hannah")
    assert refused.status_code == 403
    assert "your Front Door account is not active at Northbridge Health Visiting" in (
        refused.content.decode()
    )
    assert signed_in_user_id(client) is None
    assert refusals().get().detail["reason"] == (
        "the person has no active membership of the agency"
    )


def test_a_member_of_another_agency_cannot_sign_in_through_this_one(world, provider):
    configure(world, provider)
    world.gp.email = HANNAH.replace("hannah.vale", "gareth.price")
    world.gp.save(update_fields=["email"])
    Membership.objects.filter(user=world.hv).delete()
    Membership.objects.create(user=world.hv, agency=world.agency_b, role="referrer")
    refused = through_provider(Client(), provider, username="hannah")
    assert refused.status_code == 403
    assert refusals().get().detail["reason"] == (
        "the person has no active membership of the agency"
    )


def test_a_superuser_is_never_signed_in_through_a_provider(world, provider):
    configure(world, provider)
    world.hv.is_superuser = True
    world.hv.save(update_fields=["is_superuser"])
    client = Client()
    refused = through_provider(client, provider, username="hannah")
    assert refused.status_code == 403
    assert "signs in only with its username, password and security code" in (
        refused.content.decode()
    )
    assert signed_in_user_id(client) is None
    assert refusals().get().detail["reason"] == (
        "the person is a superuser, who signs in with a password and code"
    )


def test_two_people_with_the_same_email_are_refused_rather_than_guessed(world, provider):
    configure(world, provider)
    world.lead_a.email = HANNAH.upper()
    world.lead_a.save(update_fields=["email"])
    refused = through_provider(Client(), provider, username="hannah")
    assert refused.status_code == 403
    assert "more than one Front Door account" in refused.content.decode()


def test_an_email_outside_the_agencys_domains_is_refused(world, provider):
    configure(world, provider, email_domains="nhs.test")
    client = Client()
    authorize = leave_for_provider(client, provider, email="hannah@nhs.test")
    refused = come_back(client, at_provider(provider, authorize, username="hannah"))
    assert refused.status_code == 403
    assert refusals().get().detail["reason"] == "the email address is not in the agency's domains"


def test_an_id_token_for_another_audience_is_refused_and_audited(world, provider):
    configure(world, provider, client_id="front-door-wrong-audience")
    client = Client()
    refused = through_provider(client, provider, username="hannah")
    assert refused.status_code == 403
    assert "Signing in with your organisation's account did not work" in refused.content.decode()
    assert signed_in_user_id(client) is None
    reason = refusals().get().detail["reason"]
    assert reason.startswith("ID token refused") and "aud" in reason


def test_an_expired_id_token_is_refused_and_audited(world, provider):
    configure(world, provider, client_id="front-door-expired")
    client = Client()
    refused = through_provider(client, provider, username="hannah")
    assert refused.status_code == 403
    assert signed_in_user_id(client) is None
    assert "expired" in refusals().get().detail["reason"]


def test_a_tampered_state_is_refused_and_the_real_answer_no_longer_works(world, provider):
    configure(world, provider)
    client = Client()
    callback = at_provider(provider, leave_for_provider(client, provider), username="hannah")
    query = parse_qs(urlsplit(callback).query)
    tampered = {"code": query["code"][0], "state": query["state"][0][:-2] + "xx"}

    refused = client.get(f"/sign-in/organisation/callback/?{urlencode(tampered)}")

    assert refused.status_code == 403
    assert signed_in_user_id(client) is None
    assert refusals().get().detail["reason"] == "state did not match"
    # The attempt is spent: the genuine answer cannot be replayed after it.
    assert come_back(client, callback).status_code == 403
    assert signed_in_user_id(client) is None


def test_an_answer_cannot_be_used_twice(world, provider):
    configure(world, provider)
    client = Client()
    callback = at_provider(provider, leave_for_provider(client, provider), username="hannah")
    assert come_back(client, callback).status_code == 302
    other = Client()
    assert come_back(other, callback).status_code == 403
    assert signed_in_user_id(other) is None


def test_an_answer_from_another_session_is_refused(world, provider):
    configure(world, provider)
    attacker = Client()
    callback = at_provider(provider, leave_for_provider(attacker, provider), username="sam")
    victim = Client()
    leave_for_provider(victim, provider)
    refused = come_back(victim, callback)
    assert refused.status_code == 403
    assert refusals().get().detail["reason"] == "state did not match"


def test_the_provider_saying_no_is_audited(world, provider):
    configure(world, provider)
    client = Client()
    authorize = leave_for_provider(client, provider)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    refused = client.get(
        "/sign-in/organisation/callback/?" + urlencode({"error": "access_denied", "state": state})
    )
    assert refused.status_code == 403
    assert refusals().get().detail["reason"] == "the provider answered 'access_denied'"


# --- Recognising people by their subject identifier -------------------------------


def test_an_agency_that_recognises_people_by_subject_uses_the_recorded_one(world, provider):
    single_sign_on = configure(world, provider, identify_by=IdentifyBy.SUBJECT)
    SingleSignOnIdentity.objects.create(
        single_sign_on=single_sign_on, user=world.hv, subject=provider.subjects["hannah"]
    )
    # Her Front Door email need not match the provider's.
    world.hv.email = "hv.visitor@example.test"
    world.hv.save(update_fields=["email"])
    client = Client()
    assert through_provider(client, provider, username="hannah").status_code == 302
    assert signed_in_user_id(client) == str(world.hv.pk)

    stranger = through_provider(Client(), provider, username="sam", email=f"sam@{DOMAIN}")
    assert stranger.status_code == 403
    assert refusals().get().detail["subject"] == provider.subjects["sam"]


# --- Choosing the organisation ------------------------------------------------------


def test_an_email_no_agency_signs_in_with_gets_a_clear_error(world, provider):
    configure(world, provider)
    page = Client().post("/sign-in/organisation/", {"email": "someone@elsewhere.test"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: Sign in with your organisation's account - Front Door</title>" in text
    assert 'class="govuk-error-summary"' in text
    assert "Your organisation does not sign in to Front Door with its own account" in text


def test_a_domain_shared_by_two_agencies_asks_which_organisation(world, provider):
    configure(world, provider)
    SingleSignOn.objects.create(
        agency=world.agency_b,
        provider_name="your NHS account",
        issuer=provider.issuer,
        client_id="front-door",
        encrypted_client_secret=encrypt(SECRET),
        email_domains=DOMAIN,
    )
    client = Client()
    asked = client.post("/sign-in/organisation/", {"email": HANNAH})
    text = asked.content.decode()
    assert asked.status_code == 200
    assert "Which organisation do you work for?" in text
    assert "Northbridge Health Visiting (your NHS account)" in text
    assert "Riverside GP Practice (your NHS account)" in text
    assert "There is a problem" not in text

    nothing_chosen = client.post("/sign-in/organisation/", {"email": HANNAH, "organisation": ""})
    assert "Select the organisation you work for" in nothing_chosen.content.decode()

    authorize = leave_for_provider(client, provider, organisation=world.agency_a.single_sign_on.pk)
    assert come_back(client, at_provider(provider, authorize, username="hannah")).status_code == 302
    assert signed_in_user_id(client) == str(world.hv.pk)


def test_a_provider_that_cannot_be_reached_is_explained_on_the_page(world, provider):
    configure(world, provider, issuer=f"http://127.0.0.1:{free_port()}/o")
    page = Client().post("/sign-in/organisation/", {"email": HANNAH})
    assert page.status_code == 200
    assert "Front Door cannot reach your NHS account at the moment" in page.content.decode()


def test_a_switched_off_configuration_is_not_offered(world, provider):
    configure(world, provider, is_active=False)
    page = Client().post("/sign-in/organisation/", {"email": HANNAH})
    assert "Your organisation does not sign in to Front Door" in page.content.decode()


def test_the_way_to_the_provider_is_a_link_so_the_forms_policy_stays_front_doors_own(
    world, provider
):
    configure(world, provider)
    asked = Client().post("/sign-in/organisation/", {"email": HANNAH})
    # Browsers hold a form's redirects to the page's form-action; a link is
    # a plain navigation, so Front Door's CSP needs no exception for it.
    assert asked.status_code == 200
    assert "form-action 'self';" in asked["Content-Security-Policy"]
    assert "127.0.0.1" not in asked["Content-Security-Policy"]
    text = asked.content.decode()
    assert "Northbridge Health Visiting signs in to Front Door with your NHS account" in text


def test_coming_back_without_having_left_is_refused_and_audited(db):
    refused = Client().get("/sign-in/organisation/callback/?code=abc&state=def")
    assert refused.status_code == 403
    assert "did not work" in refused.content.decode()
    assert refusals().get().detail["reason"] == (
        "no sign-in with an organisation account was started in this session"
    )


def test_a_flood_of_made_up_answers_is_folded_in_the_audit(db):
    """Anyone can send made-up answers without signing in anywhere: from one
    address in a minute the 1st, 10th, 100th... are kept, with the count."""
    client = Client(REMOTE_ADDR="198.51.100.44")
    for n in range(12):
        assert (
            client.get(f"/sign-in/organisation/callback/?code=c{n}&state=s{n}").status_code == 403
        )
    kept = refusals().order_by("pk")
    assert [e.detail["from_this_address_this_minute"] for e in kept] == [1, 10]
    assert {e.ip_address for e in kept} == {"198.51.100.44"}


# --- The administrator's side ----------------------------------------------------------


def test_the_client_secret_is_never_shown_back_in_the_admin(world, provider):
    single_sign_on = configure(world, provider)
    admin = get_user_model().objects.create_superuser("root.admin", "root@example.test", None)
    client = sign_in(Client(), admin)
    address = f"/admin/accounts/singlesignon/{single_sign_on.pk}/change/"
    page = client.get(address).content.decode()
    assert SECRET not in page
    assert "Never shown again after saving" in page
    assert CALLBACK.replace("http://testserver", "") in page

    form = {
        "agency": world.agency_a.pk,
        "provider_name": "your NHS account",
        "issuer": provider.issuer,
        "client_id": "front-door",
        "client_secret": "",
        "scopes": "openid email",
        "identify_by": "email",
        "email_domains": DOMAIN,
        "accept_provider_mfa": "",
        "mfa_methods": "mfa",
        "contact": "",
        "is_active": "on",
        "identities-TOTAL_FORMS": "0",
        "identities-INITIAL_FORMS": "0",
    }
    ProviderDevice.objects.create(
        user=world.hv, single_sign_on=single_sign_on, name="x", confirmed=True
    )
    saved = client.post(address, form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    single_sign_on.refresh_from_db()
    # Left blank, the saved secret stays; nothing about it reached the history.
    assert single_sign_on.client_secret == SECRET
    # Kept encrypted: a copy of the table alone does not hand it over.
    assert SECRET not in single_sign_on.encrypted_client_secret
    history = single_sign_on.history.first()
    assert not hasattr(history, "encrypted_client_secret")
    assert SECRET not in str(vars(history))
    # No longer accepting the provider's two factors withdraws them.
    assert not ProviderDevice.objects.get().confirmed

    refused = client.post(address, {**form, "scopes": "email", "issuer": "ftp://example.test"})
    text = refused.content.decode()
    assert "The scopes must include openid" in text
    assert "Enter a valid URL" in text or "The issuer must start with https://" in text


# --- Whatever arrives, never a server error ------------------------------------------------

nasty = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "a@b", "@", "x" * 5000, "<script>", "a@" + "b." * 200 + "test"]),
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries(
        {}, optional={"email": nasty, "organisation": nasty, "next": nasty, "state": nasty}
    )
)
def test_the_organisation_pages_answer_any_input_without_a_server_error(world, body):
    SingleSignOn.objects.get_or_create(
        agency=world.agency_a,
        defaults={
            "provider_name": "your NHS account",
            "issuer": f"http://127.0.0.1:{free_port()}/o",
            "client_id": "front-door",
            "client_secret": SECRET,
            "email_domains": "example.test",
        },
    )
    client = Client()
    assert client.post("/sign-in/organisation/", body).status_code < 500
    assert client.get("/sign-in/organisation/callback/", body).status_code < 500
