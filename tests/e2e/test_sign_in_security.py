"""Setting up two-factor sign-in, and the time-out warning, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, assert_accessible, shot, sign_in


def test_a_new_worker_sets_up_their_app_and_signs_in_with_a_recovery_code(people, new_page):
    page = new_page()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(people.mash.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    shot(page, "50-set-up-authenticator")
    assert_accessible(page, "set up authenticator")

    page.get_by_label("Code from your authenticator app").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the code as 6 digits")
    assert_accessible(page, "set up authenticator with an error")

    device = TOTPDevice.objects.get(user=people.mash, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "51-recovery-codes")
    assert_accessible(page, "recovery codes")
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("queue", re.I))

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill(people.mash.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    shot(page, "52-security-code")
    assert_accessible(page, "security code")
    page.get_by_text("I do not have my phone").click()
    page.get_by_label("Security code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You used a recovery code. You have 9 left.")).to_be_visible()


@override_settings(SESSION_IDLE_TIMEOUT=123, SESSION_TIMEOUT_WARNING=120)
def test_the_page_warns_before_signing_out_and_stay_signed_in_works(people, new_page):
    page = new_page()
    sign_in(page, people.hv.username)
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("we will sign you out in")
    shot(page, "53-time-out-warning", full_page=False)
    assert_accessible(page, "time-out warning")
    # The dialog has focus; staying signed in needs no mouse.
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in to Front Door")


@override_settings(SESSION_IDLE_TIMEOUT=3, SESSION_TIMEOUT_WARNING=2)
def test_when_nobody_answers_the_warning_the_page_signs_out(people, new_page):
    page = new_page()
    sign_in(page, people.hv.username)
    page.wait_for_url(re.compile(r".*/sign-in/\?timed_out=1.*"), timeout=15_000)
    expect(page.get_by_text("You were signed out because Front Door was not used")).to_be_visible()
    shot(page, "54-signed-out-after-time-out")


def test_an_administrator_exports_what_is_held_about_a_child(people, new_page):
    from tests.conftest import submit

    people.admin.set_password(PASSWORD)
    people.admin.save(update_fields=["password"])
    referral = submit(people.hv, child={"nhs_number": "943 476 5919"})
    page = new_page()
    sign_in(page, people.admin.username)
    page.get_by_role("link", name="Subject access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export what is held about a child")
    page.get_by_role("button", name="Download the export").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the child's NHS number, or their last name"
    )
    shot(page, "55-subject-access-error")
    assert_accessible(page, "subject access with an error")
    page.get_by_label("NHS number").fill("9434765919")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    import json

    export = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [item["reference"] for item in export["referrals"]] == [referral.reference]
