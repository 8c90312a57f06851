"""Manager oversight in Chromium (Plymouth): a practitioner proposes advice
on an urgent referral about a three-week-old; the health visitor is told
nothing yet; the manager sends it back with reasons (without JavaScript);
the practitioner proposes early help, which the manager endorses; the
health visitor then sees the outcome. axe on every new page and its errors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import submit
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out


def test_a_decision_on_a_baby_is_signed_off_before_the_referrer_is_told(people, new_page):
    baby = submit(
        people.hv,
        now=timezone.now() - dt.timedelta(minutes=30),
        urgency="urgent",
        child={
            "first_name": "Ava",
            "nhs_number": "",
            "date_of_birth": (timezone.localdate() - dt.timedelta(days=21)).isoformat(),
        },
        concern={"what_happened": "Two small bruises on the upper arm at the new-birth visit."},
    )
    page = new_page()

    # The practitioner proposes advice: the page says a manager must endorse it.
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{baby.reference}/")
    page.get_by_role("link", name="Record the decision").click()
    expect(
        page.get_by_text("This referral is high-risk (a child under one; urgent)")
    ).to_be_visible()
    page.get_by_label("Advice and information given").check()
    page.get_by_label("Reasons for the decision").fill("Mother says a sibling squeezed her arm.")
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_text("Decision proposed. A front-door manager must endorse it")
    ).to_be_visible()
    expect(page.get_by_text("Decision waiting for a manager's sign-off")).to_be_visible()
    shot(page, "60-decision-proposed")
    assert_accessible(page, "referral with a proposed decision")
    sign_out(page)

    # The health visitor sees no outcome yet.
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{baby.reference}/")
    expect(page.locator("main")).not_to_contain_text("Advice and information given")
    expect(page.locator("main")).not_to_contain_text("sibling")
    expect(page.locator("main")).to_contain_text("Acknowledged")
    sign_out(page)

    # The manager, without JavaScript, finds it under Decisions to check and
    # sends it back; leaving out the reasons is an error on the page.
    plain = new_page(javascript=False)
    sign_in(plain, people.manager.username)
    plain.get_by_role("link", name="Decisions to check").first.click()
    row = plain.locator("tbody tr", has_text=baby.reference)
    expect(row).to_contain_text("Advice and information given")
    shot(plain, "61-decisions-to-check")
    row.get_by_role("link", name=baby.reference).click()
    plain.get_by_label("No, send it back for a new decision").check()
    plain.get_by_role("button", name="Save and continue").click()
    expect(plain.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are sending the decision back"
    )
    expect(plain).to_have_title("Error: Sign off the proposed decision - Front Door")
    shot(plain, "62-sign-off-error")
    plain.get_by_label("Your reasons").fill(
        "Bruising on a non-mobile baby: this needs a strategy discussion, not advice."
    )
    plain.get_by_role("button", name="Save and continue").click()
    expect(plain.get_by_text(f"Decision sent back. {baby.reference} is open")).to_be_visible()
    expect(plain.locator(".govuk-summary-card", has_text="Sent back")).to_contain_text(
        "this needs a strategy discussion"
    )
    sign_out(plain)

    # The practitioner proposes again; the manager endorses it.
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{baby.reference}/")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a decision")
    assert_accessible(page, "decision page with errors")
    page.get_by_label("Early help").check()
    page.get_by_label("Reasons for the decision").fill(
        "Strategy discussion held by phone with police and health: no cause to suspect "
        "significant harm. Family hub support."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_text("Decision proposed. A front-door manager must endorse it")
    ).to_be_visible()
    sign_out(page)

    sign_in(page, people.manager.username)
    page.get_by_role("link", name="Decisions to check").first.click()
    # axe reads the page through JavaScript: it checks the pages here.
    assert_accessible(page, "decisions to check")
    page.locator("tbody tr", has_text=baby.reference).get_by_role(
        "link", name=baby.reference
    ).click()
    shot(page, "63-sign-off")
    assert_accessible(page, "sign-off page")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you endorse the decision or send it back"
    )
    assert_accessible(page, "sign-off page with errors")
    page.get_by_label("Yes, endorse it").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Decision endorsed. Hannah Vale has been sent")).to_be_visible()
    sign_out(page)

    # Now the health visitor sees the outcome and the reasons.
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{baby.reference}/")
    expect(page.locator("main")).to_contain_text("Early help")
    expect(page.locator("main")).to_contain_text("Family hub support")
    expect(page.locator("main")).not_to_contain_text("sent back")
    shot(page, "64-referrer-sees-outcome")
