"""Documents in Chromium: a health visitor attaches a body map and a letter
to her referral (the letter without JavaScript, as on a locked-down
laptop), the EICAR test file is refused on the page, and the front door
opens both."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import submit
from tests.documents.files import EICAR, PDF, PNG
from tests.e2e.conftest import assert_accessible, shot, sign_in, sign_out

pytestmark = pytest.mark.usefixtures("document_store")


def choose(page, name: str, data: bytes, mime: str) -> None:  # noqa: ANN001 - a Playwright page
    page.get_by_label("Upload a file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_role("button", name="Add document").click()


def test_a_health_visitor_attaches_documents_and_the_front_door_opens_them(people, new_page):
    referral = submit(people.hv)

    page = new_page()
    sign_in(page, people.hv.username)
    page.goto(f"/referrals/{referral.reference}/")
    page.get_by_role("link", name="Add a document").click()
    expect(page.get_by_role("heading", name="Add a document")).to_be_visible()
    assert_accessible(page, "add a document")

    choose(page, "Body map.png", PNG, "image/png")
    expect(page.get_by_text("Body map.png has been added.")).to_be_visible()

    # The same page works without JavaScript (axe needs it, so not checked here).
    no_js = new_page(javascript=False)
    sign_in(no_js, people.hv.username)
    no_js.goto(f"/referrals/{referral.reference}/documents/add/")
    choose(no_js, "Paediatric letter.pdf", PDF, "application/pdf")
    expect(no_js.get_by_text("Paediatric letter.pdf has been added.")).to_be_visible()

    page.reload()
    documents = page.locator("table", has_text="Virus check")
    expect(documents).to_contain_text("Body map.png")
    expect(documents).to_contain_text("Paediatric letter.pdf")
    shot(page, "60-documents-on-a-referral")
    assert_accessible(page, "referral with documents")

    # The EICAR test file is refused, with the error summary, and not kept.
    page.get_by_role("link", name="Add a document").click()
    choose(page, "photo.png", EICAR, "image/png")
    expect(page).to_have_title("Error: Add a document - Front Door")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file contains a virus and has not been saved")
    shot(page, "61-virus-refused")
    assert_accessible(page, "virus refused")
    page.get_by_role("link", name=f"Back to {referral.reference}").click()
    expect(page.locator("table", has_text="Virus check")).not_to_contain_text("photo.png")
    sign_out(page)

    page = new_page()
    sign_in(page, people.mash.username)
    page.goto(f"/referrals/{referral.reference}/")
    for name, data in (("Body map.png", PNG), ("Paediatric letter.pdf", PDF)):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_bytes() == data
    shot(page, "62-front-door-sees-documents")
