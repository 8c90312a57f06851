"""Family T, in Chromium, as the front door meets it: the hospital's
referral about injured twins shows the midwife's pre-birth referral about
them and both parents' own referrals as children; the pre-birth referral
shows the mother's care history at the top; a search for the mother by
name and date of birth finds everything, with or without JavaScript."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.family_t import seed_family_t
from tests.e2e.conftest import assert_accessible, shot, sign_in


def card(page, reference: str):
    return page.locator(".govuk-summary-card", has_text=reference)


def search_for_tia(page) -> None:
    page.get_by_role("link", name="Search people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search people")
    page.get_by_label("Name").fill("Tia Reynods")  # a typo, as people make
    page.get_by_label("Day").fill("9")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2006")
    page.get_by_role("button", name="Search").click()


def test_the_front_door_finds_family_t(people, new_page):
    family = seed_family_t(
        school=people.gp, midwife=people.hv, hospital=people.gp, decider=people.mash
    )
    page = new_page()
    sign_in(page, people.mash.username)

    # The twins' referral, urgent, at the top of the queue.
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text(family.twins.reference)
    first_row.get_by_role("link", name=family.twins.reference).click()
    panel = page.locator(".govuk-summary-card", has_text=family.pre_birth.reference)
    expect(panel).to_contain_text("Ava Reynolds")
    expect(panel).to_contain_text("may be the unborn baby")
    expect(panel).to_contain_text("the same mother, Tia Reynolds")
    expect(
        page.locator(".govuk-summary-card", has_text=family.mother_as_child.reference)
    ).to_contain_text("Tia Reynolds (mother here) is in it as a child")
    expect(
        page.locator(".govuk-summary-card", has_text=family.father_as_child.reference)
    ).to_contain_text("Jordan Blake (father here) is in it as a child")
    shot(page, "60-family-t-twins-history")
    assert_accessible(page, "twins' referral with the family's history")
    panel.get_by_role("button", name="Same child, family or household: link it").click()
    expect(
        page.locator(".govuk-summary-card", has_text=family.pre_birth.reference)
    ).to_contain_text("Linked")

    # The pre-birth referral: the mother's care history at the top, and the
    # twins' later referral, linked.
    page.get_by_role("link", name=family.pre_birth.reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(family.pre_birth.reference)
    top = page.locator("#family-history")
    expect(top).to_contain_text("Tia Reynolds (mother): care history")
    expect(top).to_contain_text("was looked after (a care leaver)")
    expect(top).to_contain_text("Jordan Blake (father): custody or prison")
    expect(card(page, family.twins.reference)).to_contain_text("Linked")
    shot(page, "61-family-t-pre-birth")
    assert_accessible(page, "pre-birth referral with the parents' history")

    # Search: one person, a child in 2019 and the mother in both later referrals.
    search_for_tia(page)
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    tia = page.locator(".govuk-summary-card", has_text="Tia Reynolds, born 9 March 2006")
    rows = tia.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(family.twins.reference)
    expect(rows.nth(1)).to_contain_text(family.pre_birth.reference)
    expect(rows.nth(2)).to_contain_text(family.mother_as_child.reference)
    expect(rows.nth(2)).to_contain_text("Child")
    expect(rows.nth(2)).to_contain_text("Child and family assessment")
    shot(page, "62-family-t-search")
    assert_accessible(page, "search results")
    rows.nth(2).get_by_role("link", name=family.mother_as_child.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(family.mother_as_child.reference)

    # A mistake gets the error summary, and nothing typed is lost.
    page.get_by_role("link", name="Search people").click()
    page.get_by_label("Name").fill("Tia")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2006")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date of birth must be a real date"
    )
    expect(page.get_by_label("Name")).to_have_value("Tia")
    assert_accessible(page, "search with an error")


def test_the_search_works_without_javascript(people, new_page):
    family = seed_family_t(
        school=people.gp, midwife=people.hv, hospital=people.gp, decider=people.mash
    )
    page = new_page(javascript=False)
    sign_in(page, people.mash.username)
    search_for_tia(page)
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody")).to_contain_text(family.twins.reference)
