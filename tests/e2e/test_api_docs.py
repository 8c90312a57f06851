"""The API's docs page works in a browser under our Content Security Policy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import shot


def test_the_api_docs_page_renders_the_schema(db, new_page):
    page = new_page()
    page.goto("/api/v1/docs/")
    expect(page.get_by_text("Front Door API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/referrals/").first).to_be_visible()
    shot(page, "40-api-docs")
