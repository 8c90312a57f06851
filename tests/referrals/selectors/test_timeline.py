"""What each side sees on a referral's timeline."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from referrals.services.triage import answer_information_request, record_link, request_information
from tests.conftest import WEDNESDAY_10AM, client_for, submit, token_for


def test_the_referrer_never_sees_what_another_agency_said_or_which_history_was_linked(world):
    earlier = submit(world.gp, now=WEDNESDAY_10AM - dt.timedelta(days=30))
    referral = submit(world.hv)
    info = request_information(
        referral=referral, actor=world.mash, question="Seen lately?", to_agency=world.agency_b
    )
    answer_information_request(info=info, actor=world.gp, answer="SECRET-GP-RECORD")
    record_link(referral=referral, earlier=earlier, actor=world.mash, confirmed=True)
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert (
        "SECRET-GP-RECORD" not in page
        and earlier.reference not in page
        and "Seen lately?" not in page
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.hv)}")
    body = api.get(f"/api/v1/referrals/{referral.reference}/").content.decode()
    assert (
        "SECRET-GP-RECORD" not in body and earlier.reference not in body and "Riverside" not in body
    )
    front_door = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "SECRET-GP-RECORD" in front_door and earlier.reference in front_door
