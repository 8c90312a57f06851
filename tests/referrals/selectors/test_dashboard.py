"""The managers' dashboard: decisions awaiting sign-off, decisions overdue
and escalations are in its lists, and each card's number is the number of
rows its link shows (the queue, filtered)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.selectors.dashboard import manager_dashboard
from referrals.selectors.lists import QueueFilters, front_door_queue
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.decision import decide_referral
from tests.conftest import client_for, submit


def days_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def scene(world):
    """Four referrals: one nobody acknowledged for a week (past both its
    deadlines), one acknowledged but not decided for a week, one with advice
    proposed on a baby and not signed off, one just in."""
    never_seen = submit(world.hv, now=days_ago(7))
    undecided = submit(world.gp, now=days_ago(7))
    acknowledge_referral(referral=undecided, actor=world.mash, now=days_ago(6.99))
    baby = submit(
        world.hv,
        now=days_ago(1),
        urgency="urgent",
        child={"date_of_birth": (timezone.localdate() - dt.timedelta(days=21)).isoformat()},
    )
    proposal = decide_referral(
        referral=baby,
        actor=world.mash,
        decision="advice",
        reasons="Explained.",
        next_steps="",
        next_steps_owner="",
        now=days_ago(0.99),
    )
    fresh = submit(world.gp)
    escalate_overdue_referrals()
    return never_seen, undecided, baby, proposal, fresh


def queue_count(world, **filters):
    return front_door_queue(world.manager, QueueFilters(**filters)).count()


def test_overdue_and_escalated_cards_count_each_referral_once_as_their_lists_do(world):
    never_seen, undecided, baby, _, _ = scene(world)
    board = manager_dashboard(world.manager, now=timezone.now())
    c = board.counts
    # never_seen is past both deadlines: overdue once, for acknowledgement.
    assert (c["overdue"], c["decision_overdue"]) == (1, 1)
    assert [r.reference for r in board.overdue] == [never_seen.reference]
    assert [r.reference for r in board.decision_overdue] == [undecided.reference]
    assert c["overdue"] + c["decision_overdue"] == queue_count(world, due="overdue")
    # Escalated on either ladder, each referral once, as the queue's filter.
    # (The baby's proposal escalated on the sign-off ladder: its own card.)
    assert c["escalated_any"] == queue_count(world, escalated=True) == 2
    assert {r.reference for r in board.escalated} == {never_seen.reference, undecided.reference}
    assert baby.reference not in {r.reference for r in board.escalated}


def test_a_decision_awaiting_sign_off_is_counted_and_listed_not_overdue(world):
    _, _, baby, proposal, _ = scene(world)
    board = manager_dashboard(world.manager, now=timezone.now())
    assert board.counts["awaiting_sign_off"] == 1
    assert board.counts["sign_off_overdue"] == 1
    assert board.counts["sign_off_escalated"] == 1
    assert [p.pk for p in board.awaiting_sign_off] == [proposal.pk]
    assert baby.reference not in {r.reference for r in board.decision_overdue}
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert "1</span> decisions awaiting sign-off" in html
    assert "Decisions awaiting sign-off (1, 1 overdue)" in html
    assert "Overdue for a decision (1)" in html


def test_another_front_doors_proposals_are_not_on_our_dashboard(world):
    scene(world)
    board = manager_dashboard(world.outsider, now=timezone.now())
    assert board.counts["awaiting_sign_off"] == 0 and board.awaiting_sign_off == []
