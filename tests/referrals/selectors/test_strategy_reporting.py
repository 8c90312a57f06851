"""Partnership figures for strategy discussions and the police
(referrals.selectors.strategy_reporting), small numbers hidden."""

from __future__ import annotations

import datetime as dt

from referrals.models import PoliceNotice, StrategyDiscussion
from referrals.selectors.strategy_reporting import strategy_figures
from referrals.services.decision import decide_referral
from referrals.services.police import acknowledge_for_police
from referrals.services.strategy import record_strategy_discussion
from tests.conftest import WEDNESDAY_10AM, client_for, submit

DAY = WEDNESDAY_10AM.date()


def strategy(world, *, at):
    referral = submit(world.hv, now=at)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Significant harm.",
        next_steps="",
        next_steps_owner="",
        now=at,
    )
    return StrategyDiscussion.objects.get(referral=referral)


def figures(world, now):
    return strategy_figures(
        front_door_id=world.front_door.pk,
        start=DAY,
        end=DAY,
        now=now,
    )


def test_discussions_held_on_time_and_police_acknowledgement_times(world, police):
    discussions = [strategy(world, at=WEDNESDAY_10AM + dt.timedelta(minutes=i)) for i in range(7)]
    for i, discussion in enumerate(discussions[:6]):
        # Five held on time, one held a day late.
        held = discussion.due_by + (dt.timedelta(days=1) if i == 5 else -dt.timedelta(hours=1))
        record_strategy_discussion(
            discussion=discussion,
            actor=world.mash,
            held_at=held,
            took_part=[],
            outcome="no_further_section_47",
            next_steps="",
            conference_follows=False,
            now=held + dt.timedelta(minutes=5),
        )
    for i, discussion in enumerate(discussions[:5]):
        notice = PoliceNotice.objects.get(referral=discussion.referral)
        acknowledge_for_police(
            notice=notice, actor=police.officer, now=notice.notified_at + dt.timedelta(hours=i)
        )
    shown = figures(world, WEDNESDAY_10AM + dt.timedelta(days=3))
    assert shown.discussions == 5  # 7, rounded to the nearest 5
    assert shown.held_on_time == 5
    assert shown.held_late == "fewer than 5"
    assert shown.overdue_not_held == "fewer than 5"
    assert shown.police_told == 5
    # 0, 1, 2, 3 and 4 hours: median 2.
    assert shown.police_acknowledge_median_hours == 2.0
    assert shown.police_acknowledged_late == "fewer than 5"  # 2 never acknowledged, 2 late


def test_fewer_than_five_times_give_no_median(world, police):
    discussion = strategy(world, at=WEDNESDAY_10AM)
    notice = PoliceNotice.objects.get(referral=discussion.referral)
    acknowledge_for_police(notice=notice, actor=police.officer, now=notice.notified_at)
    shown = figures(world, WEDNESDAY_10AM + dt.timedelta(days=1))
    assert shown.police_acknowledge_median_hours is None
    assert shown.discussions == "fewer than 5"


def test_the_partnership_page_shows_them(world, police):
    strategy(world, at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    page = client_for(world.manager).get("/reports/partnership/").content.decode()
    assert "Strategy discussions and the police" in page
    assert "Time for the police to acknowledge" in page and "Too few to show" in page
