"""The front door's queue: its filters, and odd filters that must not break it."""

from __future__ import annotations

import pytest

from referrals.services.triage import (
    assign_referral,
)
from tests.conftest import client_for, submit


def test_the_queue_filters_by_assignment_and_pathway(world):
    mine = submit(world.hv)
    other = submit(world.gp)
    assign_referral(referral=mine, actor=world.mash, assignee=world.mash)
    client = client_for(world.mash)
    page = client.get("/front-door/queue/?assigned=me").content.decode()
    assert mine.reference in page and other.reference not in page
    page = client.get("/front-door/queue/?assigned=nobody").content.decode()
    assert other.reference in page and mine.reference not in page
    page = client.get(f"/front-door/queue/?agency={world.agency_b.pk}").content.decode()
    assert other.reference in page and mine.reference not in page
    assert "due in" in page or "overdue by" in page
    assert client.get("/front-door/queue/?assigned=<script>&agency=x").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "agency=²",
        "assigned=²",
        "agency=99999999999999999999999",
        "assigned=99999999999999999999999",
        "agency=-1&assigned=1e9",
    ],
)
def test_odd_queue_filters_are_ignored_not_a_500(world, query):
    assert client_for(world.mash).get(f"/front-door/queue/?{query}").status_code == 200
