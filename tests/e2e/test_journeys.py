"""The three journeys of the first slice, as people do them, in real Chromium:
a health visitor sends a referral and keeps the receipt; a MASH worker
acknowledges it; a manager sees the overdue one escalated. Every page is
checked with axe (WCAG 2.2 A/AA), error states included."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from referrals.escalations import escalate_overdue_referrals
from referrals.models import Referral, Status
from tests.conftest import submit
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out

REFERENCE = re.compile(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}")


def test_a_health_visitor_sends_a_referral_and_keeps_the_receipt(people, new_page):
    page = new_page()
    page.goto("/")
    expect(page).to_have_title("Sign in - Front Door")
    shot(page, "01-sign-in")
    assert_accessible(page, "sign in")
    sign_in(page, people.hv.username)
    page.get_by_role("link", name="Send a referral").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a referral or ask for a consultation")
    assert_accessible(page, "referral form")

    # The phone number comes from the sender's profile.
    phone = page.get_by_label("Phone number the front door can reach you on today")
    expect(phone).to_have_value("01632 960 000")

    # Send it otherwise empty: the error summary lists every problem, linked to its field.
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(5)
    shot(page, "02-referral-form-errors")
    assert_accessible(page, "referral form with errors")
    summary.get_by_role("link", name="Enter the child's first name").click()
    expect(page.get_by_label("Child's first name")).to_be_focused()

    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Standard").check()
    page.get_by_label("Child's first name").fill("Amira")
    page.get_by_label("Child's last name").fill("Okafor")
    page.get_by_label("Day", exact=True).fill("2")
    page.get_by_label("Month", exact=True).fill("9")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_label("What are you worried about?").fill(
        "Mother disclosed that her partner shouts at her and she is frightened when he drinks."
    )
    page.get_by_label("Phone number the front door can reach you on today").fill("01632 960 222")
    shot(page, "03-referral-form-filled")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    reference = Referral.objects.get().reference
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    shot(page, "04-receipt")
    assert_accessible(page, "receipt")
    page.emulate_media(media="print")
    shot(page, "05-receipt-printed")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Your referrals").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_text("Waiting to be acknowledged")).to_be_visible()
    shot(page, "06-your-referrals")
    assert_accessible(page, "your referrals")


def test_a_referral_can_be_sent_with_the_keyboard_alone(people, new_page):
    page = new_page()
    sign_in(page, people.hv.username)
    page.goto("/referrals/new/")
    page.locator("body").focus()

    def tab_to(label: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => { const el = document.activeElement;"
                " const label = el && el.labels && el.labels[0];"
                " return label ? label.textContent.trim() : (el ? el.textContent.trim() : ''); }"
            )
            if focused == label:
                return
        raise AssertionError(f"Could not reach {label!r} with the Tab key")

    tab_to("Referral")
    page.keyboard.press("Space")
    tab_to("Standard")
    page.keyboard.press("Space")
    tab_to("Child's first name")
    page.keyboard.type("Leo")
    page.keyboard.press("Tab")
    page.keyboard.type("Marsh")
    tab_to("What are you worried about?")
    page.keyboard.type("Healed burn on the forearm; no medical advice sought at the time.")
    tab_to("Phone number the front door can reach you on today")
    page.keyboard.type("01632 960 111")
    tab_to("Send")
    shot(page, "07-keyboard-focus-on-send", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")


def test_the_referral_journey_works_without_javascript(people, new_page):
    page = new_page(javascript=False)
    sign_in(page, people.hv.username)
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Consultation").check()
    page.get_by_label("Urgent").check()
    page.get_by_label("Child's first name").fill("Noah")
    page.get_by_label("Child's last name").fill("Fielding")
    page.get_by_label("What are you worried about?").fill("A 2cm bruise on the left cheek of a 12-week-old baby.")
    page.get_by_label("Phone number the front door can reach you on today").fill("01632 960 222")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation sent")
    shot(page, "08-receipt-without-javascript")
    sign_out(page)


def test_a_mash_worker_acknowledges_a_referral(people, new_page):
    referral = submit(people.hv)
    page = new_page()
    sign_in(page, people.mash.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting to be acknowledged")
    shot(page, "09-front-door-queue")
    assert_accessible(page, "front-door queue")
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)
    shot(page, "10-referral-page")
    assert_accessible(page, "referral page")
    page.get_by_role("button", name="Acknowledge this referral").click()
    expect(page.get_by_text(f"You acknowledged {referral.reference}")).to_be_visible()
    expect(page.get_by_text("By Maya Ashworth at")).to_be_visible()
    shot(page, "11-acknowledged")
    assert_accessible(page, "acknowledged referral page")
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED

    sign_out(page)
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{referral.reference}/")
    expect(page.get_by_text("By Maya Ashworth at")).to_be_visible()


def test_a_manager_sees_the_overdue_referral_escalated(people, new_page):
    overdue = submit(people.gp, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=4))
    submit(people.hv)
    escalate_overdue_referrals()
    page = new_page()
    sign_in(page, people.manager.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("What nobody owns yet")
    escalated = page.locator("#escalated + table")
    expect(escalated.get_by_role("link", name=overdue.reference)).to_be_visible()
    expect(escalated).to_contain_text("Senior managers")
    shot(page, "12-manager-dashboard")
    assert_accessible(page, "manager dashboard")
    escalated.get_by_role("link", name=overdue.reference).click()
    expect(page.get_by_text("Not acknowledged in time.")).to_be_visible()
    shot(page, "13-escalated-referral")


def test_pages_reflow_at_320_css_pixels_without_sideways_scrolling(people, new_page):
    referral = submit(people.hv)
    page = new_page(width=320, height=640)
    sign_in(page, people.hv.username)
    for path, name in [
        ("/referrals/new/", "14-narrow-form"),
        (f"/referrals/{referral.reference}/receipt/", "15-narrow-receipt"),
        (f"/referrals/{referral.reference}/", "16-narrow-referral"),
    ]:
        page.goto(path)
        shot(page, name)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px wide"


def test_a_reference_that_is_not_yours_shows_the_not_found_page(people, new_page):
    referral = submit(people.gp)
    page = new_page()
    sign_in(page, people.hv.username)
    response = page.goto(f"/referrals/{referral.reference}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page, "not found")
