"""The dashboard's strategy discussions and police acknowledgements
(referrals.selectors.strategy_dashboard), and the page that shows them."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import PoliceNotice
from referrals.selectors.strategy_dashboard import strategy_panel
from referrals.services.decision import decide_referral
from referrals.services.police import acknowledge_for_police
from tests.conftest import WEDNESDAY_10AM, client_for, submit
from tests.referrals.test_pathways import injured_baby


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
    return referral


def test_counts_due_and_overdue_discussions_and_police_not_acknowledged(world, police):
    overdue = strategy(world, at=WEDNESDAY_10AM)
    due = strategy(world, at=WEDNESDAY_10AM + dt.timedelta(hours=20))
    baby = submit(
        world.hv, now=WEDNESDAY_10AM + dt.timedelta(hours=23, minutes=30), **injured_baby()
    )
    acknowledge_for_police(notice=PoliceNotice.objects.get(referral=due), actor=police.officer)
    now = WEDNESDAY_10AM + dt.timedelta(hours=24)  # the first discussion's deadline
    panel = strategy_panel(world.manager, now=now)
    assert (panel.discussions_due, panel.discussions_overdue) == (1, 1)
    assert [d.referral for d in panel.discussions] == [overdue, due]
    # Police: the first is overdue (2 working hours), the baby's is waiting, the second is done.
    assert (panel.police_not_acknowledged, panel.police_overdue) == (2, 1)
    assert [n.referral for n in panel.police_waiting] == [overdue, baby]


def test_another_front_doors_manager_sees_none_of_them(world, police):
    strategy(world, at=WEDNESDAY_10AM)
    panel = strategy_panel(world.outsider, now=WEDNESDAY_10AM + dt.timedelta(days=2))
    assert panel.discussions == [] and panel.police_waiting == []
    assert panel.discussions_overdue == 0 and panel.police_not_acknowledged == 0


def test_the_panel_takes_the_same_queries_for_one_or_twenty(world, police):
    strategy(world, at=WEDNESDAY_10AM)
    strategy_panel(world.manager, now=WEDNESDAY_10AM)  # who the manager is, loaded once
    with CaptureQueriesContext(connection) as one:
        strategy_panel(world.manager, now=WEDNESDAY_10AM + dt.timedelta(days=2))
    for i in range(19):
        strategy(world, at=WEDNESDAY_10AM + dt.timedelta(minutes=i))
    with CaptureQueriesContext(connection) as twenty:
        strategy_panel(world.manager, now=WEDNESDAY_10AM + dt.timedelta(days=2))
    assert len(one) == len(twenty)


def test_the_dashboard_page_shows_them(world, police):
    referral = strategy(world, at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    page = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert "Strategy discussions not yet held (0 due, 1 overdue)" in page
    assert "Police not yet acknowledged (1, 1 overdue)" in page
    assert referral.reference in page
