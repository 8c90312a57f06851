"""Regressions for problems found in review: each test names what went wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from referrals.content import validate_content
from referrals.escalations import escalate_overdue_referrals
from referrals.models import Draft, Referral
from referrals.services import DraftAlreadySent, submit_referral
from referrals.triage import (
    answer_challenge,
    answer_information_request,
    decide_referral,
    raise_challenge,
    record_link,
    request_information,
)
from tests.conftest import a_document, client_for, submit

START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_a_decision_reopened_by_a_challenge_can_escalate_again_without_stopping_the_sweep(world):
    referral = submit(world.hv, now=START)
    escalate_overdue_referrals(now=START + dt.timedelta(days=3))  # first round: levels 1 and 2
    decide_referral(referral=referral, actor=world.mash, decision="nfa", reasons="r", next_steps="",
                    next_steps_owner="", now=START + dt.timedelta(days=3, hours=1))
    challenge = raise_challenge(referral=referral, actor=world.hv, reasons="x", now=START + dt.timedelta(days=3, hours=2))
    answer_challenge(challenge=challenge, actor=world.manager, outcome="changed", response="Reopening",
                     now=START + dt.timedelta(days=3, hours=3))
    question = request_information(referral=referral, actor=world.mash, question="Q?",
                                   now=START + dt.timedelta(days=3, hours=4))
    result = escalate_overdue_referrals(now=START + dt.timedelta(days=13))
    assert result.failed_steps == []
    rounds = sorted(referral.escalations.filter(rule="not_decided").values_list("subject_id", "level"))
    assert rounds == [(0, 1), (0, 2), (1, 1), (1, 2)]
    question.refresh_from_db()
    assert question.escalation_level == 1  # later rules still ran


@pytest.mark.parametrize("query", ["agency=²", "assigned=²", "agency=99999999999999999999999",
                                   "assigned=99999999999999999999999", "agency=-1&assigned=1e9"])
def test_odd_queue_filters_are_ignored_not_a_500(world, query):
    assert client_for(world.mash).get(f"/front-door/queue/?{query}").status_code == 200


def test_a_relationship_that_is_not_text_is_a_400_not_a_500(world):
    document = a_document()
    document["adults"][0]["relationship"] = {}
    document["adults"][1]["relationship"] = []
    content, problems = validate_content(document)
    assert content is None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.gp).key}")
    assert api.post("/api/v1/referrals/", document, format="json").status_code == 400


def test_the_referrer_never_sees_what_another_agency_said_or_which_history_was_linked(world):
    earlier = submit(world.gp, now=START - dt.timedelta(days=30))
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Seen lately?", to_agency=world.agency_b)
    answer_information_request(info=info, actor=world.gp, answer="SECRET-GP-RECORD")
    record_link(referral=referral, earlier=earlier, actor=world.mash, confirmed=True)
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "SECRET-GP-RECORD" not in page and earlier.reference not in page and "Seen lately?" not in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.hv).key}")
    body = api.get(f"/api/v1/referrals/{referral.reference}/").content.decode()
    assert "SECRET-GP-RECORD" not in body and earlier.reference not in body and "Riverside" not in body
    front_door = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "SECRET-GP-RECORD" in front_door and earlier.reference in front_door


def test_a_draft_sent_twice_becomes_one_referral(world):
    from tests.conftest import content_of

    draft = Draft.objects.create(author=world.hv, data=a_document(), created_at=START, updated_at=START)
    submit_referral(sender=world.hv, content=content_of(a_document()), draft=draft)
    with pytest.raises(DraftAlreadySent):
        submit_referral(sender=world.hv, content=content_of(a_document()), draft=draft)
    assert Referral.objects.count() == 1


def test_a_second_send_of_the_same_draft_page_says_it_was_sent(world):
    client = client_for(world.hv)
    draft = Draft.objects.create(author=world.hv, data=a_document(), created_at=START, updated_at=START)
    first = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert first["Location"].endswith("/receipt/")
    second = client.post(f"/referrals/drafts/{draft.pk}/check/", follow=True)
    # The draft is gone; nothing sent twice, and the sender lands on their
    # referrals (with the receipt), not on "Page not found".
    assert second.redirect_chain == [("/referrals/", 302)]
    assert "it has been sent or deleted" in second.content.decode()
    assert Referral.objects.count() == 1


def test_the_warning_names_the_rule_that_was_broken(world):
    from referrals.services import acknowledge_referral

    referral = submit(world.hv, now=START)
    acknowledge_referral(referral=referral, actor=world.mash, now=START + dt.timedelta(minutes=5))
    escalate_overdue_referrals(now=START + dt.timedelta(days=2))
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "No decision in time: escalated to front-door managers" in page
    assert "Not acknowledged in time" not in page


@pytest.mark.parametrize(("path", "persona"), [("ask", "hv"), ("decide", "hv"), ("challenge", "mash")])
def test_triage_pages_check_who_you_are_on_a_post_too(world, path, persona):
    referral = submit(world.hv)
    response = client_for(getattr(world, persona)).post(f"/referrals/{referral.reference}/{path}/", {})
    assert response.status_code == 403
    assert "Riverside" not in response.content.decode()
