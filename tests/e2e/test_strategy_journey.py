"""The police and the strategy discussion, in Chromium: the front door
decides on a strategy discussion; the police officer acknowledges (without
JavaScript); the GP and health visitor are invited; the discussion is held
and recorded; the health visitor sees the outcome. axe on every page and its
error state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import submit
from tests.e2e.conftest import PASSWORD, assert_accessible, shot, sign_in, sign_out

GP = {"agency_type": "gp", "organisation": "Riverside GP Practice", "practitioner": ""}


def test_strategy_discussion_with_the_police_from_decision_to_outcome(people, police, new_page):
    for user in (police.officer, people.gp):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    referral = submit(
        people.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), other_agencies=[GP]
    )

    # The front door decides on a strategy discussion.
    page = new_page()
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{referral.reference}/")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Strategy discussion (section 47)").check()
    page.get_by_label("Reasons for the decision").fill("Unexplained bruising: significant harm.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    police_status = page.locator("#police-status")
    expect(police_status).to_contain_text("Waiting")
    invited = page.locator("#strategy-discussion ~ table").first
    expect(invited).to_contain_text("Riverside GP Practice")
    expect(invited).to_contain_text("Northbridge Health Visiting")
    expect(invited).to_contain_text("Northbridge Police Public Protection Unit")
    shot(page, "60-strategy-discussion-invited")
    assert_accessible(page, "referral with a strategy discussion to hold")
    sign_out(page)

    # The officer sees the police's list and page (axe runs in a browser with
    # JavaScript), then acknowledges in one without.
    officer_page = new_page()
    sign_in(officer_page, police.officer.username)
    expect(officer_page.get_by_role("heading", name="Police referrals")).to_be_visible()
    assert_accessible(officer_page, "police list")
    officer_page.get_by_role("link", name=referral.reference).click()
    expect(officer_page.locator("#strategy-status")).to_contain_text("To be held")
    shot(officer_page, "61-police-referral")
    assert_accessible(officer_page, "police referral page")
    no_js = new_page(javascript=False)
    sign_in(no_js, police.officer.username)
    no_js.goto(f"/police/referrals/{referral.reference}/")
    no_js.get_by_role("button", name="Acknowledge for the police").click()
    expect(no_js.get_by_text(f"You acknowledged {referral.reference}")).to_be_visible()
    expect(no_js.locator("#police-acknowledged")).to_contain_text("Priya Okafor")

    # The GP practice sees the invitation under Strategy discussions.
    gp_page = new_page()
    sign_in(gp_page, people.gp.username)
    gp_page.goto("/strategy-discussions/")
    expect(gp_page.get_by_text(referral.reference)).to_be_visible()
    assert_accessible(gp_page, "strategy discussions for an invited agency")

    # The front door sees who acknowledged, then records the discussion.
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{referral.reference}/")
    expect(page.locator("#police-status")).to_contain_text("Acknowledged by Priya Okafor")
    page.get_by_role("link", name="Record the strategy discussion").click()
    page.get_by_role("button", name="Record the discussion").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date the discussion was held")
    expect(summary).to_contain_text("Select the outcome")
    shot(page, "62-strategy-record-errors")
    assert_accessible(page, "strategy record with errors")
    held = timezone.localtime() - dt.timedelta(minutes=2)
    page.get_by_label("Day").first.fill(str(held.day))
    page.get_by_label("Month").first.fill(str(held.month))
    page.get_by_label("Year").first.fill(str(held.year))
    page.get_by_label("What time did it start?").fill(f"{held:%H:%M}")
    page.get_by_label("Riverside GP Practice").check()
    page.get_by_label("Northbridge Health Visiting", exact=True).check()
    page.get_by_label("Northbridge Police Public Protection Unit").check()
    page.get_by_label("Section 47 enquiry").check()
    page.get_by_label("Next steps (optional)").fill("Joint visit by police and social worker.")
    page.locator("input[name=conference_follows][value=yes]").check()
    page.get_by_role("button", name="Record the discussion").click()
    expect(page.get_by_text("Strategy discussion recorded")).to_be_visible()
    sign_out(page)

    # The health visitor sees the outcome on the referral's page.
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{referral.reference}/")
    outcome = page.locator("#strategy-outcome")
    expect(outcome).to_contain_text("Section 47 enquiry")
    expect(outcome).to_contain_text("Joint visit by police and social worker.")
    expect(outcome).to_contain_text("Initial child protection conference")
    shot(page, "63-health-visitor-sees-the-outcome")
    assert_accessible(page, "referral with the strategy discussion's outcome")
