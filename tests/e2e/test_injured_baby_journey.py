"""Rapid Review A2 in real Chromium: an ambulance clinician refers a
three-week-old found limp at home, ticking only "neglect". The concern page
asks about the baby directly, and the answer puts the referral on the
injured-baby pathway: urgent deadlines, the police emailed, and the front
door reads why, and the clinician's differential diagnosis, first. Every
changed page, error states included, is checked with axe."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency, AgencyKind, Role
from notifications.models import Notification
from referrals.models import Referral
from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, assert_accessible, shot, sign_in, sign_out

COLLAPSED = "a non-mobile baby collapsed, stopped breathing, or went floppy or limp"


def test_a_baby_found_limp_sent_as_neglect_runs_on_the_injured_baby_pathway(people, new_page):
    people.front_door.police_alert_email = "ppu@police.example"
    people.front_door.save(update_fields=["police_alert_email"])
    ambulance = Agency.objects.create(
        name="Northbridge Ambulance Service",
        kind=AgencyKind.AMBULANCE,
        front_door=people.front_door,
    )
    paramedic = make_user("para.medic", agency=ambulance, role=Role.REFERRER)
    paramedic.set_password(PASSWORD)
    paramedic.save(update_fields=["password"])
    born = timezone.localdate() - dt.timedelta(weeks=3)

    page = new_page()
    sign_in(page, paramedic.username)
    page.get_by_role("link", name="Send a referral").first.click()
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Standard").check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Add a child").click()
    page.get_by_label("First name").fill("Baby")
    page.get_by_label("Last name").fill("Hollis")
    page.locator("fieldset", has_text="Has the child been born?").get_by_label("Yes").check()
    page.locator("#id_date_of_birth-day").fill(str(born.day))
    page.locator("#id_date_of_birth-month").fill(str(born.month))
    page.locator("#id_date_of_birth-year").fill(str(born.year))
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Address", exact=True).fill("22 Lock Street, Northbridge")
    page.locator("fieldset", has_text="interpreter").get_by_label("No", exact=True).check()
    page.locator("fieldset", has_text="plan or to be looked after").get_by_label(
        "No", exact=True
    ).check()
    shot(page, "a2-01-child")
    assert_accessible(page, "child page with the moving-about question")
    page.get_by_role("button", name="Save child").click()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Why is the child's father or a male carer not recorded?").fill(
        "Mother was too distressed to say; father not at the address."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # other agencies
    page.get_by_role("button", name="Continue").click()  # previous areas

    # Only "neglect" ticked; the baby questions are asked all the same.
    page.get_by_label("Neglect", exact=True).check()
    page.get_by_label("What happened?").fill(
        "Called at 02:10: mother found the baby limp and pale in the cot, in a cold, dirty flat."
    )
    page.get_by_label("When did it happen?").fill("Tonight, about 02:00")
    page.get_by_label("What is daily life like for the child? What have they said?").fill(
        "Baby is 3 weeks old; breathing and pink again on arrival, but quiet and not feeding."
    )
    page.get_by_label("What have you done already?").fill("Conveyed to Northbridge General.")
    page.locator("fieldset", has_text="at risk of harm right now").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select whether the baby has collapsed, stopped breathing")
    expect(summary).to_contain_text("Select whether abuse is part of your differential diagnosis")
    expect(page.get_by_label("What happened?")).to_have_value(
        "Called at 02:10: mother found the baby limp and pale in the cot, in a cold, dirty flat."
    )
    shot(page, "a2-02-concern-errors")
    assert_accessible(page, "concern page with the baby questions unanswered")
    page.locator("fieldset", has_text="Baby Hollis have any bruise").get_by_label(
        "No", exact=True
    ).check()
    page.locator("fieldset", has_text="Baby Hollis collapsed").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Yes, abuse is one of the possible causes").check()
    shot(page, "a2-03-concern")
    assert_accessible(page, "concern page with the baby questions")
    page.get_by_role("button", name="Save and continue").click()

    page.locator("fieldset", has_text="know you are making").get_by_label("Yes").check()
    page.locator("fieldset", has_text="Have they agreed").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    collapse = "Has Baby Hollis collapsed, stopped breathing"
    expect(page.get_by_role("term").filter(has_text=collapse)).to_be_visible()
    shot(page, "a2-04-check-answers")
    assert_accessible(page, "check your answers with the baby questions")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Urgent, because of: {COLLAPSED}")
    shot(page, "a2-05-receipt")
    assert_accessible(page, "receipt of an urgent referral")

    referral = Referral.objects.get()
    assert referral.non_mobile_injury and referral.urgency == "urgent"
    assert referral.concern_categories == ["neglect"]
    assert referral.acknowledge_by == referral.received_at + dt.timedelta(hours=1)
    assert referral.strategy_discussion_by == referral.received_at + dt.timedelta(hours=24)
    police = Notification.objects.get(referral=referral, purpose="police")
    assert police.to_address == "ppu@police.example"
    sign_out(page)

    # The front door reads the differential diagnosis first, then why it is urgent.
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{referral.reference}/")
    expect(page.locator("#differential-diagnosis")).to_contain_text(
        "Yes, abuse is one of the possible causes"
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Why: {COLLAPSED}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Police notified (ppu@police.example)"
    )
    shot(page, "a2-06-front-door-page")
    assert_accessible(page, "referral page on the injured-baby pathway")
