"""The strategy discussion's pages (referrals.web.strategy) and what each
invitee sees of it."""

from __future__ import annotations

import datetime as dt

from audit.models import Action, AuditEvent
from referrals.models import StrategyDiscussion
from referrals.services.decision import decide_referral
from tests.conftest import client_for, submit

GP = {"agency_type": "gp", "organisation": "Riverside GP Practice", "practitioner": ""}


def opened(world):
    referral = submit(
        world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3), other_agencies=[GP]
    )
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Significant harm.",
        next_steps="",
        next_steps_owner="",
    )
    return StrategyDiscussion.objects.get(referral=referral)


def form_for(discussion, **changes):
    today = dt.datetime.now(dt.UTC).date()
    data = {
        "held_on-day": str(today.day),
        "held_on-month": str(today.month),
        "held_on-year": str(today.year),
        "held_time": "00:01",
        "took_part": [str(p.pk) for p in discussion.participants.all()],
        "outcome": "section_47",
        "next_steps": "Joint visit today <b>by police</b>.",
        "conference_follows": "yes",
    }
    data.update(changes)
    return data


def test_the_front_door_sees_who_is_invited_and_how(world, police):
    discussion = opened(world)
    page = client_for(world.mash).get(f"/referrals/{discussion.referral.reference}/")
    text = page.content.decode()
    assert "Northbridge Police Public Protection Unit" in text
    assert "Riverside GP Practice" in text and "Through Front Door" in text
    assert "To be held" in text


def test_a_record_with_mistakes_shows_the_errors_and_keeps_what_was_typed(world, police):
    discussion = opened(world)
    url = f"/referrals/{discussion.referral.reference}/strategy-discussion/record/"
    response = client_for(world.mash).post(
        url, form_for(discussion, held_time="half two", outcome="")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in text and "govuk-error-summary" in text
    assert "Enter the time the discussion started, like 14:30" in text
    assert "Select the outcome" in text
    assert "Joint visit today &lt;b&gt;by police&lt;/b&gt;." in text  # kept, escaped
    assert StrategyDiscussion.objects.get(pk=discussion.pk).is_open


def test_recording_it_shows_the_outcome_to_the_health_visitor_and_the_police(world, police):
    discussion = opened(world)
    reference = discussion.referral.reference
    response = client_for(world.mash).post(
        f"/referrals/{reference}/strategy-discussion/record/", form_for(discussion)
    )
    assert response.status_code == 302
    hv_page = client_for(world.hv).get(f"/referrals/{reference}/").content.decode()
    assert "Section 47 enquiry" in hv_page
    assert "Joint visit today &lt;b&gt;by police&lt;/b&gt;." in hv_page
    assert "Record the strategy discussion" not in hv_page
    police_page = client_for(police.officer).get(f"/police/referrals/{reference}/")
    assert "Section 47 enquiry" in police_page.content.decode()


def test_an_invited_gp_practice_sees_its_discussions_and_nothing_else(world, police):
    discussion = opened(world)
    other = submit(world.hv)
    response = client_for(world.gp).get("/strategy-discussions/")
    text = response.content.decode()
    assert discussion.referral.reference in text and other.reference not in text
    assert "Leo Marsh" in text
    assert discussion.referral.what_happened not in text  # not the referral itself
    assert AuditEvent.objects.filter(
        actor=world.gp, action=Action.LISTED, detail__page="strategy_discussions"
    ).exists()
    # The GP still cannot open the referral.
    assert (
        client_for(world.gp).get(f"/referrals/{discussion.referral.reference}/").status_code == 404
    )


def test_only_the_front_door_opens_the_record_page(world, police):
    discussion = opened(world)
    url = f"/referrals/{discussion.referral.reference}/strategy-discussion/record/"
    assert client_for(world.hv).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.mash).get(url).status_code == 200
