"""Contacts in Chromium: a MASH practitioner records a GP's phone call about
a bruised baby, and a member of the public reports a concern that the front
door then sees. axe-checked on every new page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Referral
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_practitioner_records_a_gps_call_about_a_bruised_baby(people, new_page, javascript):
    page = new_page(javascript=javascript)

    def check_accessible(name: str) -> None:
        # axe runs in the page's JavaScript: the journey without it is
        # checked for working, the one with it for accessibility.
        if javascript:
            assert_accessible(page, name)

    sign_in(page, people.mash.username)
    page.get_by_role("link", name="Record a contact").click()
    check_accessible("contact-start")
    page.get_by_role("button", name="Start now").click()

    called = timezone.localtime() - dt.timedelta(minutes=10)
    page.get_by_label("Phone call").check()
    page.locator("#id_received_on-day").fill(str(called.day))
    page.locator("#id_received_on-month").fill(str(called.month))
    page.locator("#id_received_on-year").fill(str(called.year))
    page.get_by_label("What time was it received?").fill(f"{called:%H:%M}")
    page.get_by_label("A professional").check()
    page.get_by_role("button", name="Save and continue").click()
    # No name for a professional, no census source: told plainly, answers kept.
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the professional's name")
    expect(page).to_have_title(re.compile(r"^Error: How it came in, and who from"))
    check_accessible("contact-page-errors")
    page.get_by_label("Their name", exact=True).fill("Dr Rosa Okafor")
    page.get_by_label("Their organisation or agency (professionals only)").fill("Hilltop Surgery")
    page.get_by_label("Their role or relationship to the child").fill("GP")
    page.get_by_label("Email address (optional)").fill("rosa.okafor@hilltop.example.test")
    page.get_by_label("Referral source (Children in Need census)").select_option("3A")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Standard").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Add a child").click()
    born = timezone.localdate() - dt.timedelta(weeks=10)
    page.get_by_label("First name").fill("Baby")
    page.get_by_label("Last name").fill("Ellis")
    page.locator("fieldset", has_text="Has the child been born?").get_by_label(
        "Yes", exact=True
    ).check()
    page.locator("#id_date_of_birth-day").fill(str(born.day))
    page.locator("#id_date_of_birth-month").fill(str(born.month))
    page.locator("#id_date_of_birth-year").fill(str(born.year))
    page.locator("fieldset", has_text="Sex").get_by_label("Not known").check()
    page.get_by_label("Address", exact=True).fill("3 Weir Cottages, Northbridge")
    page.locator("fieldset", has_text="interpreter").get_by_label("Not known").check()
    page.locator("fieldset", has_text="plan or to be looked after").get_by_label(
        "Not known"
    ).check()
    page.get_by_role("button", name="Save child").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Why is the child's father or a male carer not recorded?").fill(
        "Not asked: the GP did not know"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What happened?").fill(
        "Mother brought the baby to the surgery; a 2cm bruise on the left cheek."
    )
    page.get_by_label("When did it happen?").fill("Seen at this morning's appointment")
    page.locator("fieldset", has_text="at risk of harm right now").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator("fieldset", has_text="know about this contact").get_by_label(
        "No, or not known"
    ).check()
    page.get_by_label("Not known: the person could not say").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the contact before recording it"
    )
    check_accessible("contact-check")
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact recorded")
    check_accessible("contact-receipt")
    shot(page, f"20-contact-recorded-{'js' if javascript else 'no-js'}")

    referral = Referral.objects.get()
    call_time = called.replace(second=0, microsecond=0)
    assert referral.kind == "contact" and referral.non_mobile_injury
    assert referral.received_at == call_time
    assert referral.acknowledge_by == call_time + dt.timedelta(hours=1)
    expect(page.get_by_text(referral.reference).first).to_be_visible()
    page.get_by_role("link", name="Open the contact").click()
    expect(page.get_by_text("Urgent pathway").first).to_be_visible()
    expect(page.get_by_text("3A: HEALTH SERVICES – general practitioner (GP)")).to_be_visible()
    sign_out(page)


@override_settings(PUBLIC_REPORTS_FRONT_DOOR="Northbridge Front Door")
def test_a_member_of_the_public_reports_a_concern_and_the_front_door_sees_it(people, new_page):
    page = new_page()
    page.goto("/report-a-concern/")
    expect(page.locator(".govuk-warning-text").first).to_contain_text("call 999")
    assert_accessible(page, "public-report")
    page.get_by_role("button", name="Send your report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you know the child")
    expect(page).to_have_title(re.compile(r"^Error: Report a concern about a child"))
    assert_accessible(page, "public-report-errors")
    page.get_by_label(
        "I know the family, for example as a neighbour, friend or childminder"
    ).check()
    page.get_by_label("What is the child's name?").fill("Kai Brook")
    page.get_by_label("How old are they? (optional)").fill("about 4")
    page.get_by_label("Where does the child live?").fill("Flat 2, 9 Mill Lane, Northbridge")
    page.get_by_label("What are you worried about?").fill(
        "I hear a small child screaming most nights and a man shouting."
    )
    page.locator("fieldset", has_text="in danger right now").get_by_label("No", exact=True).check()
    page.get_by_label("Your email address (optional)").fill("pat.lee@example.test")
    page.get_by_role("button", name="Send your report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been sent")
    assert_accessible(page, "public-report-sent")
    shot(page, "21-public-report-sent")
    referral = Referral.objects.get()
    expect(page.get_by_text(referral.reference)).to_be_visible()

    staff = new_page()
    sign_in(staff, people.mash.username)
    staff.goto("/front-door/queue/")
    expect(staff.get_by_text(referral.reference)).to_be_visible()
    staff.get_by_text(referral.reference).click()
    expect(staff.get_by_text("Report a concern page (public)")).to_be_visible()
