"""The three journeys of the first slice, as people do them, in real Chromium:
a health visitor sends a referral and keeps the receipt; a MASH worker
acknowledges it; a manager sees the overdue one escalated. Every page is
checked with axe (WCAG 2.2 A/AA), error states included."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Referral, Status
from tests.conftest import submit
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out

REFERENCE = re.compile(r"FD-[0-9A-Z]{4}-[0-9A-Z]{4}")


def fill_child(page, *, first: str, last: str, born: bool = True) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    if born:
        page.locator("fieldset", has_text="Has the child been born?").get_by_label("Yes").check()
        page.locator("#id_date_of_birth-day").fill("2")
        page.locator("#id_date_of_birth-month").fill("9")
        page.locator("#id_date_of_birth-year").fill("2025")
    page.get_by_label("Female").check()
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_label("Address", exact=True).fill("Flat 3, 88 Station Road, Northbridge")
    page.get_by_label("Postcode").fill("NB2 7HD")
    page.locator("fieldset", has_text="interpreter").get_by_label("No", exact=True).check()
    page.locator("fieldset", has_text="plan or to be looked after").get_by_label(
        "No", exact=True
    ).check()


def test_a_health_visitor_sends_a_referral_and_keeps_the_receipt(people, new_page):
    page = new_page()
    page.goto("/")
    expect(page).to_have_title("Sign in - Front Door")
    shot(page, "01-sign-in")
    assert_accessible(page, "sign in")
    sign_in(page, people.hv.username)
    page.get_by_role("link", name="Send a referral").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Send a referral or ask for a consultation"
    )
    shot(page, "02-start")
    assert_accessible(page, "start page")
    page.get_by_role("button", name="Start now").click()

    # Referral or consultation, with plain help on the difference.
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral or consultation")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    shot(page, "03-type-errors")
    assert_accessible(page, "type page with errors")
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Standard").check()
    page.get_by_role("button", name="Save and continue").click()

    # The child: a mistake is listed, linked, and what was typed is kept.
    page.get_by_role("link", name="Add a child").click()
    fill_child(page, first="Amira", last="Okafor")
    page.get_by_label("NHS number (optional)").fill("943 476 5918")
    page.get_by_role("button", name="Save child").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    shot(page, "04-child-errors")
    assert_accessible(page, "child page with errors")
    summary.get_by_role(
        "link", name="Enter a real NHS number: check the digits against the record"
    ).click()
    expect(page.get_by_label("NHS number (optional)")).to_be_focused()
    expect(page.get_by_label("First name")).to_have_value("Amira")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_role("button", name="Save child").click()
    expect(page.get_by_role("heading", name="Amira Okafor")).to_be_visible()
    shot(page, "05-children")
    assert_accessible(page, "children list")
    page.get_by_role("button", name="Continue").click()

    # The adults: the father or a male carer must be recorded or explained.
    page.get_by_role("link", name="Add an adult").click()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Mother", exact=True).check()
    page.locator("fieldset", has_text="live with the child").get_by_label("Yes").check()
    page.locator("fieldset", has_text="parental responsibility").get_by_label("Yes").check()
    page.get_by_label("Experiencing domestic abuse").check()
    page.get_by_role("button", name="Save adult").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Add the child's father or a male carer"
    )
    shot(page, "06-adults-father-missing")
    assert_accessible(page, "adults page with the father question")
    page.get_by_label("Why is the child's father or a male carer not recorded?").fill(
        "Mother says he lives abroad and has no contact; she would not give his name."
    )
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Other agencies involved")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Previous addresses and areas")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Domestic abuse", exact=True).check()
    page.get_by_label("What happened?").fill(
        "Mother said her partner probably shouts at her and she is frightened when he drinks."
    )
    page.get_by_label("When did it happen?").fill("Told at today's visit")
    page.get_by_label("What is daily life like for the child? What have they said?").fill(
        "Amira is alert, feeding well and gaining weight."
    )
    page.get_by_label("What have you done already?").fill("Gave mother the helpline number.")
    page.locator("fieldset", has_text="at risk of harm right now").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_label("No medical assessment has been made yet").check()
    shot(page, "07-concern")
    assert_accessible(page, "concern page")
    page.get_by_role("button", name="Save and continue").click()

    page.locator("fieldset", has_text="know you are making").get_by_label("Yes").check()
    page.get_by_label("No, they refused").check()
    page.get_by_label("Asking would put an adult at risk").check()
    page.get_by_label("Explain your decision (only if they have not agreed)").fill(
        "Telling her partner could put mother at risk."
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_label("Phone number the front door can reach you on today")).to_have_value(
        "01632 960 000"
    )
    page.get_by_role("button", name="Save and continue").click()

    # Check your answers: vague words pointed out, then send.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(page.locator("#vague-words")).to_contain_text("'probably'")
    shot(page, "08-check-answers")
    assert_accessible(page, "check your answers")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    reference = Referral.objects.get().reference
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    shot(page, "09-receipt")
    assert_accessible(page, "receipt")
    page.emulate_media(media="print")
    shot(page, "10-receipt-printed")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Your referrals").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_text("Waiting to be acknowledged")).to_be_visible()
    shot(page, "11-your-referrals")
    assert_accessible(page, "your referrals")


def tab_to(page, label: str) -> None:
    """Press Tab until the focused control is the one called `label`."""
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " const label = el && el.labels && el.labels[0];"
            " return label ? label.textContent.trim() : (el ? el.textContent.trim() : ''); }"
        )
        if focused == label:
            return
    raise AssertionError(f"Could not reach {label!r} with the Tab key")


def test_a_referral_can_be_sent_with_the_keyboard_alone(people, new_page):
    page = new_page()
    sign_in(page, people.hv.username)
    page.goto("/referrals/new/")
    page.locator("body").focus()
    tab_to(page, "Start now")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/type/$"))

    def choose(first_option: str, moves: int = 0) -> None:
        # Tab reaches a radio group once; the arrow keys choose within it.
        tab_to(page, first_option)
        page.keyboard.press("Space")
        for _ in range(moves):
            page.keyboard.press("ArrowDown")

    choose("Referral")
    choose("Standard")
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/children/$"))
    tab_to(page, "Add a child")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/children/add/$"))
    tab_to(page, "First name")
    page.keyboard.type("Leo")
    page.keyboard.press("Tab")
    page.keyboard.type("Marsh")
    choose("Yes")
    tab_to(page, "Day")
    page.keyboard.type("14")
    page.keyboard.press("Tab")
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("2019")
    choose("Female", moves=1)  # Male
    tab_to(page, "Address")
    page.keyboard.type("14 Canal Row, Northbridge")
    choose("Yes", moves=1)  # interpreter: No
    choose("No")  # plan or looked after: No
    tab_to(page, "Save child")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/children/$"))
    shot(page, "12-keyboard-children", full_page=False)
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/adults/$"))
    tab_to(page, "Why is the child's father or a male carer not recorded?")
    page.keyboard.type("Not known to us: the family moved here last month.")
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/other-agencies/$"))
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/previous-areas/$"))
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/concern/$"))
    tab_to(page, "Neglect")
    page.keyboard.press("Space")
    tab_to(page, "What happened?")
    page.keyboard.type("Healed burn on the forearm; no medical advice sought at the time.")
    page.keyboard.press("Tab")
    page.keyboard.type("About two weeks ago")
    tab_to(page, "What is daily life like for the child? What have they said?")
    page.keyboard.type("Quiet; said 'Dean was cross'.")
    tab_to(page, "What have you done already?")
    page.keyboard.type("Told our safeguarding lead.")
    choose("Yes", moves=1)
    choose("Yes, abuse is one of the possible causes", moves=2)
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/consent/$"))
    choose("Yes")
    choose("Yes")
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/you/$"))
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/check/$"))
    tab_to(page, "Send")
    shot(page, "13-keyboard-focus-on-send", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    referral = Referral.objects.get()
    assert referral.children.get().name == "Leo Marsh"
    assert referral.children.get().sex == "male"


def test_the_referral_journey_works_without_javascript(people, new_page):
    page = new_page(javascript=False)
    sign_in(page, people.hv.username)
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Consultation").check()
    page.get_by_label("Urgent").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Add a child").click()
    page.get_by_label("First name").fill("Baby")
    page.get_by_label("Last name").fill("Fielding")
    page.locator("fieldset", has_text="Has the child been born?").get_by_label(
        "No", exact=True
    ).check()
    due = dt.date.today() + dt.timedelta(weeks=20)
    page.locator("#id_expected_date_of_delivery-day").fill(str(due.day))
    page.locator("#id_expected_date_of_delivery-month").fill(str(due.month))
    page.locator("#id_expected_date_of_delivery-year").fill(str(due.year))
    page.locator("fieldset", has_text="Sex").get_by_label("Not known").check()
    page.get_by_label("Address", exact=True).fill("2 Orchard Close, Northbridge")
    page.locator("fieldset", has_text="interpreter").get_by_label("No", exact=True).check()
    page.locator("fieldset", has_text="plan or to be looked after").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save child").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Add an adult").click()
    page.get_by_label("First name").fill("Ryan")
    page.get_by_label("Last name").fill("Fielding")
    page.get_by_label("Father", exact=True).check()
    page.locator("fieldset", has_text="live with the child").get_by_label("Yes").check()
    page.locator("fieldset", has_text="parental responsibility").get_by_label("Yes").check()
    page.get_by_role("button", name="Save adult").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Concern about an unborn baby").check()
    page.get_by_label("What happened?").fill(
        "Mother disclosed heroin use at the booking appointment."
    )
    page.get_by_label("When did it happen?").fill("Booking appointment today")
    page.get_by_label("What is daily life like for the child? What have they said?").fill(
        "Unborn: 20 weeks."
    )
    page.get_by_label("What have you done already?").fill("Referred mother to the drug service.")
    page.locator("fieldset", has_text="at risk of harm right now").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_label("No medical assessment has been made yet").check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator("fieldset", has_text="know you are making").get_by_label("Yes").check()
    page.get_by_label("Yes", exact=True).last.check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation sent")
    shot(page, "14-receipt-without-javascript")
    assert Referral.objects.get().expected_due_date == due
    sign_out(page)


def test_a_mash_worker_acknowledges_a_referral(people, new_page):
    referral = submit(people.hv)
    page = new_page()
    sign_in(page, people.mash.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Front-door queue")
    shot(page, "15-front-door-queue")
    assert_accessible(page, "front-door queue")
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)
    shot(page, "16-referral-page")
    assert_accessible(page, "referral page")
    page.get_by_role("button", name="Acknowledge this referral").click()
    expect(page.get_by_text(f"You acknowledged {referral.reference}")).to_be_visible()
    expect(page.get_by_text("By Maya Ashworth at")).to_be_visible()
    shot(page, "17-acknowledged")
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
    escalated = page.locator("#escalated + .app-table-scroll table")
    expect(escalated.get_by_role("link", name=overdue.reference)).to_be_visible()
    expect(escalated).to_contain_text("Senior managers")
    shot(page, "18-manager-dashboard")
    assert_accessible(page, "manager dashboard")
    escalated.get_by_role("link", name=overdue.reference).click()
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Not acknowledged in time: escalated to front-door managers"
    )
    shot(page, "19-escalated-referral")


def test_pages_reflow_at_320_css_pixels_without_sideways_scrolling(people, new_page):
    referral = submit(people.hv)
    page = new_page(width=320, height=640)
    sign_in(page, people.hv.username)
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Standard").check()
    page.get_by_role("button", name="Save and continue").click()
    child_page = page.url.replace("/children/", "/children/add/")
    for path, name in [
        ("/referrals/new/", "20-narrow-start"),
        (child_page, "21-narrow-child"),
        (f"/referrals/{referral.reference}/receipt/", "22-narrow-receipt"),
        (f"/referrals/{referral.reference}/", "23-narrow-referral"),
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
