"""Triage and closing the loop, in Chromium: a MASH worker takes the oldest
referral, sees the child's earlier referral, asks the health visitor a
question, gets the answer and decides; the health visitor sees the outcome
and challenges another decision, which escalates when nobody answers."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.services.decision import decide_referral
from tests.conftest import submit
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out


def test_triage_question_decision_outcome_and_challenge(people, new_page):
    now = dt.datetime.now(dt.UTC)
    earlier = submit(people.gp, now=now - dt.timedelta(days=200), kind="consultation")
    decide_referral(
        referral=earlier,
        actor=people.mash,
        decision="advice",
        reasons="Advice given.",
        next_steps="",
        next_steps_owner="",
        now=now - dt.timedelta(days=199),
    )
    oldest = submit(people.hv, now=now - dt.timedelta(hours=5))
    submit(
        people.hv,
        now=now - dt.timedelta(minutes=10),
        child={
            "first_name": "Ruby",
            "nhs_number": "",
            "date_of_birth": "2021-01-05",
            "postcode": "NB9 9ZZ",
            "address": "1 High Street",
        },
    )
    other = submit(
        people.hv,
        now=now - dt.timedelta(days=3),
        child={
            "first_name": "Mia",
            "nhs_number": "",
            "date_of_birth": "2023-11-20",
            "postcode": "NB4 2LS",
            "address": "5 Lock Street",
        },
    )
    decide_referral(
        referral=other,
        actor=people.manager,
        decision="nfa",
        reasons="Mother is engaging.",
        next_steps="",
        next_steps_owner="",
        now=now - dt.timedelta(days=2),
    )

    page = new_page()
    sign_in(page, people.mash.username)
    # Take the oldest: the queue puts the nearest deadline first.
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text(oldest.reference)
    shot(page, "30-queue-with-countdowns")
    assert_accessible(page, "queue with filters")
    first_row.get_by_role("link", name=oldest.reference).click()
    page.get_by_label("Assigned to").select_option("me")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"{oldest.reference} is assigned to you")).to_be_visible()

    # The child's earlier referral is beside the new one; link it.
    history = page.locator(".govuk-summary-card", has_text=earlier.reference)
    expect(history).to_contain_text("Same NHS number")
    shot(page, "31-earlier-history")
    assert_accessible(page, "referral with earlier history")
    history.get_by_role("button", name="Same child, family or household: link it").click()
    expect(page.locator(".govuk-summary-card", has_text=earlier.reference)).to_contain_text(
        "Linked"
    )

    # Ask the health visitor a question.
    page.get_by_role("link", name="Ask for more information").click()
    expect(page.get_by_label("The referrer")).to_be_checked()
    page.get_by_role("button", name="Send question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question")
    assert_accessible(page, "question page with errors")
    page.get_by_label("What do you need to know?").fill("Who else lives at the address?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_text("Question sent")).to_be_visible()
    sign_out(page)

    # The health visitor answers in the portal.
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{oldest.reference}/")
    page.get_by_role("link", name="Answer this question").first.click()
    page.get_by_label("Your answer").fill("Mother's partner, Dean Hollis, most nights.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Answer sent to the front door")).to_be_visible()
    sign_out(page)

    # The MASH worker decides with reasons; the outcome goes to the referrer.
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{oldest.reference}/")
    expect(page.get_by_text("Mother's partner, Dean Hollis, most nights.")).to_be_visible()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Child and family assessment (section 17)").check()
    page.get_by_label("Reasons for the decision").fill(
        "Unexplained burn and an adult in the home not known to us."
    )
    page.get_by_label("Next steps (optional)").fill("Home visit within 5 working days")
    shot(page, "32-decision")
    assert_accessible(page, "decision page")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    sign_out(page)

    # The health visitor sees the outcome, and challenges the other decision.
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{oldest.reference}/")
    expect(
        page.get_by_text("Unexplained burn and an adult in the home not known to us.")
    ).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Decided")).to_contain_text(
        "Child and family assessment"
    )
    shot(page, "33-outcome-for-the-referrer")
    assert_accessible(page, "outcome for the referrer")
    page.goto(f"/referrals/{other.reference}/")
    page.get_by_role("link", name="Challenge this decision").click()
    page.get_by_role("button", name="Send challenge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you disagree with the decision"
    )
    shot(page, "32b-challenge-errors")
    assert_accessible(page, "challenge page with the at-risk question and an error")
    page.locator("fieldset", has_text="at risk of harm now").get_by_label("No", exact=True).check()
    page.get_by_label("Why do you disagree with the decision?").fill(
        "Mother has missed her last three appointments with the drug and alcohol service."
    )
    page.get_by_role("button", name="Send challenge").click()
    expect(page.get_by_text("Open: with front-door managers")).to_be_visible()
    sign_out(page)

    # Nobody answers in time: the sweep takes it to senior managers.
    escalate_overdue_referrals(now=now + dt.timedelta(days=7))
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{other.reference}/")
    expect(page.get_by_text("Open: with senior managers")).to_be_visible()
    shot(page, "34-challenge-escalated")
    sign_out(page)
    sign_in(page, people.manager.username)
    expect(page.locator("#challenges + .app-table-scroll table")).to_contain_text("Senior managers")
    shot(page, "35-dashboard-challenges")
    assert_accessible(page, "dashboard with challenges")


def test_a_partnership_viewer_reads_a_months_figures_and_downloads_them(people, new_page):
    from agencies.models import Role
    from tests.conftest import make_user
    from tests.e2e.conftest import PASSWORD

    viewer = make_user("partnership.viewer", agency=people.front_door, role=Role.PARTNERSHIP_VIEWER)
    viewer.set_password(PASSWORD)
    viewer.save()
    # Within the 30 days the page shows first.
    when = dt.datetime.combine(
        dt.date.today() - dt.timedelta(days=5), dt.time(10, 0), tzinfo=dt.UTC
    )
    referral = submit(people.hv, now=when)
    decide_referral(
        referral=referral,
        actor=people.mash,
        decision="early_help",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=when + dt.timedelta(hours=3),
    )
    submit(people.gp, now=when + dt.timedelta(days=1), kind="consultation")
    page = new_page()
    sign_in(page, viewer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership figures")
    expect(page.get_by_role("rowheader", name="Early help")).to_be_visible()
    shot(page, "36-partnership-figures")
    assert_accessible(page, "partnership figures")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as a spreadsheet (CSV)").click()
    from pathlib import Path

    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[-1].startswith("All agencies,fewer than 5,fewer than 5,")


def test_the_managers_dashboard_updates_itself_and_reassigns(people, new_page):
    overdue = submit(people.gp, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=4))
    escalate_overdue_referrals()
    page = new_page()
    sign_in(page, people.manager.username)
    expect(page.get_by_text("The figures below update every minute.")).to_be_visible()
    table = page.locator("#overdue + .app-table-scroll table")
    table.get_by_label(f"Assign {overdue.reference} to").select_option(label="Maya Ashworth")
    table.get_by_role("button", name=f"Assign {overdue.reference}").click()
    expect(page.get_by_text(f"{overdue.reference} is assigned to Maya Ashworth")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("What nobody owns yet")
    shot(page, "37-dashboard-workload")
    assert_accessible(page, "dashboard after reassigning")


def test_the_dashboard_figures_update_in_place(people, new_page):
    page = new_page()
    sign_in(page, people.manager.username)
    waiting = page.locator(".app-count-card", has_text="not acknowledged").first
    expect(waiting).to_contain_text("0")
    submit(people.hv)
    page.evaluate("document.dispatchEvent(new Event('app:refresh'))")
    expect(waiting).to_contain_text("1")


def test_the_dashboards_updates_can_be_paused_and_stay_paused(people, new_page):
    # WCAG 2.2.2: content that updates itself can be paused.
    page = new_page()
    sign_in(page, people.manager.username)
    waiting = page.locator(".app-count-card", has_text="not acknowledged").first
    expect(waiting).to_contain_text("0")
    pause = page.get_by_role("button", name="Pause updates")
    pause.click()
    resume = page.get_by_role("button", name="Resume updates")
    expect(resume).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status")).to_contain_text("Updates are paused")
    submit(people.hv)
    page.evaluate("document.dispatchEvent(new Event('app:refresh'))")
    page.wait_for_timeout(1000)
    expect(waiting).to_contain_text("0")
    # Still paused after going to another page and back.
    page.reload()
    expect(page.get_by_role("button", name="Resume updates")).to_be_visible()
    expect(page.locator(".app-count-card", has_text="not acknowledged").first).to_contain_text("1")
    submit(people.hv)
    # Resuming fetches the figures at once.
    page.get_by_role("button", name="Resume updates").click()
    expect(page.locator(".app-count-card", has_text="not acknowledged").first).to_contain_text("2")
    assert_accessible(page, "dashboard with updates paused and resumed")
