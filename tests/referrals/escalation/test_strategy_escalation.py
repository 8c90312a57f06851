"""A strategy discussion not held by its deadline, and a conference not held
within 15 working days, each escalate once (referrals.escalation.ladder)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Escalation, StrategyDiscussion
from referrals.services.decision import decide_referral
from referrals.services.strategy import record_strategy_discussion
from tests.conftest import WEDNESDAY_10AM, client_for, submit

NOON = WEDNESDAY_10AM + dt.timedelta(hours=2)
DUE = NOON + dt.timedelta(hours=24)


def opened(world, *, now=WEDNESDAY_10AM):
    referral = submit(world.hv, now=now)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Significant harm.",
        next_steps="",
        next_steps_owner="",
        now=now + dt.timedelta(hours=2),
    )
    return StrategyDiscussion.objects.get(referral=referral)


def rows(rule):
    return list(Escalation.objects.filter(rule=rule).values_list("referral_id", "level"))


def test_a_discussion_not_held_by_its_deadline_escalates_once(world, police):
    discussion = opened(world)
    escalate_overdue_referrals(now=DUE - dt.timedelta(seconds=1))
    assert rows("strategy_not_held") == []
    for hours in (0, 1, 48):
        escalate_overdue_referrals(now=DUE + dt.timedelta(hours=hours))
    assert rows("strategy_not_held") == [(discussion.referral_id, 1)]
    for person in (world.manager, world.senior):
        assert (
            Notification.objects.filter(
                purpose="escalation",
                to_address=person.email,
                body__contains="Strategy discussion not held in time",
            ).count()
            == 1
        )


def test_a_discussion_held_in_time_never_escalates(world, police):
    discussion = opened(world)
    record_strategy_discussion(
        discussion=discussion,
        actor=world.mash,
        held_at=DUE - dt.timedelta(hours=1),
        took_part=[],
        outcome="no_further_section_47",
        next_steps="",
        conference_follows=False,
        now=DUE - dt.timedelta(minutes=30),
    )
    escalate_overdue_referrals(now=DUE + dt.timedelta(days=30))
    assert rows("strategy_not_held") == [] and rows("conference_not_held") == []


def test_a_conference_not_held_within_15_working_days_escalates_once(world, police):
    discussion = opened(world)
    record_strategy_discussion(
        discussion=discussion,
        actor=world.mash,
        held_at=DUE - dt.timedelta(hours=1),
        took_part=[],
        outcome="section_47",
        next_steps="",
        conference_follows=True,
        now=DUE - dt.timedelta(minutes=30),
    )
    discussion.refresh_from_db()
    assert discussion.conference_due_by is not None
    escalate_overdue_referrals(now=discussion.conference_due_by - dt.timedelta(seconds=1))
    assert rows("conference_not_held") == []
    escalate_overdue_referrals(now=discussion.conference_due_by)
    escalate_overdue_referrals(now=discussion.conference_due_by + dt.timedelta(days=2))
    assert rows("conference_not_held") == [(discussion.referral_id, 1)]


def test_an_overdue_discussion_shows_as_overdue_on_the_referral_page(world, police):
    discussion = opened(world, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=30))
    page = client_for(world.mash).get(f"/referrals/{discussion.referral.reference}/")
    text = page.content.decode()
    assert "Overdue: it should have been held by" in text
    assert "Record the strategy discussion" in text


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_discussion_once(world, police):
    discussions = [opened(world, now=WEDNESDAY_10AM + dt.timedelta(seconds=i)) for i in range(12)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            escalate_overdue_referrals(now=DUE + dt.timedelta(hours=1), batch_size=3)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(rows("strategy_not_held")) == sorted((d.referral_id, 1) for d in discussions)
    assert set(StrategyDiscussion.objects.values_list("escalation_level", flat=True)) == {1}
