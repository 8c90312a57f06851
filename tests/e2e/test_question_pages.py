"""Question pages show only what the answers so far make relevant, and
without JavaScript show everything (GOV.UK conditional reveals)."""

from __future__ import annotations

from playwright.sync_api import expect

from referrals.services.drafts import start_draft
from tests.e2e.conftest import assert_accessible, shot, sign_in


def test_the_reasons_for_sharing_without_agreement_appear_only_when_needed(people, new_page):
    draft = start_draft(author=people.hv)
    page = new_page()
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/drafts/{draft.pk}/consent/")
    reason = page.get_by_label("Explain your decision (only if they have not agreed)")
    expect(reason).to_be_hidden()
    page.get_by_label("No, they refused").check()
    expect(reason).to_be_visible()
    page.get_by_label("Yes", exact=True).last.check()
    expect(reason).to_be_hidden()
    page.get_by_label("I have not asked them").check()
    expect(reason).to_be_visible()
    assert_accessible(page, "consent with the reasons revealed")
    shot(page, "40-consent-revealed")


def test_a_child_page_asks_for_the_date_of_birth_or_the_due_date_not_both(people, new_page):
    draft = start_draft(author=people.hv)
    page = new_page()
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/drafts/{draft.pk}/children/add/")
    born = page.get_by_role("group", name="Date of birth")
    due = page.get_by_role("group", name="Expected date of delivery")
    expect(born).to_be_hidden()
    expect(due).to_be_hidden()
    page.get_by_role("group", name="Has the child been born?").get_by_label("Yes").check()
    expect(born).to_be_visible()
    expect(due).to_be_hidden()
    page.get_by_role("group", name="Has the child been born?").get_by_label("No").check()
    expect(due).to_be_visible()
    expect(born).to_be_hidden()
    # An error under a hidden question keeps it open.
    page.get_by_label("First name").fill("Baby")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Day").last.fill("40")
    page.get_by_role("button", name="Save child").click()
    expect(page.get_by_role("group", name="Expected date of delivery")).to_be_visible()
    assert_accessible(page, "child page with the due date in error")


def test_without_javascript_every_question_is_shown(people, new_page):
    draft = start_draft(author=people.hv)
    page = new_page(javascript=False)
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/drafts/{draft.pk}/consent/")
    reason = page.get_by_label("Explain your decision (only if they have not agreed)")
    expect(reason).to_be_visible()
    page.goto(f"/referrals/drafts/{draft.pk}/children/add/")
    expect(page.get_by_role("group", name="Date of birth")).to_be_visible()
    expect(page.get_by_role("group", name="Expected date of delivery")).to_be_visible()
