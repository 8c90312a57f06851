"""The clock: a sweep that runs hours late, the clocks changing, bank
holidays. Deadlines stay right and each escalation happens once, at the first
sweep at or after its deadline, however the sweeps are spaced."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.services.challenge import answer_challenge, raise_challenge
from tests.conftest import decided, submit

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def sweep_every(
    step: dt.timedelta, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, str, int]]:
    """Run the sweep at start, start + step, ... up to end, as beat would;
    return (sweep time, rule, level) for everything escalated."""
    made = []
    now = start
    while now <= end:
        made += [(now, e.rule, e.level) for e in escalate_overdue_referrals(now=now).escalated]
        now += step
    return made


def escalations_of(referral) -> list[tuple[str, int, dt.datetime, dt.datetime]]:
    return sorted((e.rule, e.level, e.due_at, e.escalated_at) for e in referral.escalations.all())


# --- a sweep delayed by hours ---------------------------------------------------


def test_a_sweep_five_hours_late_escalates_once_and_records_the_real_deadline(world):
    # Wednesday 10:00: due 17:00, senior managers at 11:00 on Thursday.
    referral = submit(world.hv, now=london("2026-11-25T10:00"))
    # Beat stopped at 16:00 and came back at 22:00: the first sweep escalates
    # level 1 (and only level 1), the following ones nothing more.
    made = sweep_every(
        dt.timedelta(minutes=1), london("2026-11-25T22:00"), london("2026-11-25T22:30")
    )
    assert made == [(london("2026-11-25T22:00"), "not_acknowledged", 1)]
    [(rule, level, due_at, escalated_at)] = escalations_of(referral)
    assert due_at == london("2026-11-25T17:00") and escalated_at == london("2026-11-25T22:00")
    assert Notification.objects.filter(referral=referral, purpose="escalation").count() == 1


def test_a_sweep_delayed_past_several_deadlines_catches_up_each_once_in_order(world):
    referral = submit(world.hv, now=london("2026-11-25T10:00"))
    # Nothing ran from Wednesday 16:00 to Friday 12:00, past all four
    # deadlines (the last, senior managers on the decision, Friday 11:00).
    made = sweep_every(
        dt.timedelta(hours=1), london("2026-11-27T12:00"), london("2026-11-27T17:00")
    )
    assert {(when, rule, level) for when, rule, level in made} == {
        (london("2026-11-27T12:00"), rule, level)
        for rule in ("not_acknowledged", "not_decided")
        for level in (1, 2)
    }
    assert len(made) == 4
    levels = [(rule, level) for rule, level, _, _ in escalations_of(referral)]
    assert levels == [
        ("not_acknowledged", 1),
        ("not_acknowledged", 2),
        ("not_decided", 1),
        ("not_decided", 2),
    ]
    assert Notification.objects.filter(referral=referral, purpose="escalation").count() == 4


# --- the clocks change (Europe/London) ------------------------------------------


def test_clocks_going_forward_a_friday_evening_referral_is_due_at_five_bst_on_monday(world):
    # Friday 27 March 2026 16:30 GMT, after the cut-off; clocks go forward on
    # Sunday 29 March. Due Monday 17:00 BST, which is 16:00 UTC.
    referral = submit(world.hv, now=london("2026-03-27T16:30"))
    assert referral.acknowledge_by == utc("2026-03-30T16:00")
    assert referral.clock.senior_escalation_at == utc("2026-03-31T10:00")  # Tuesday 11:00 BST
    # Every six hours over the weekend, then every half hour on Monday and Tuesday.
    made = sweep_every(dt.timedelta(hours=6), utc("2026-03-27T16:30"), utc("2026-03-30T10:30"))
    made += sweep_every(dt.timedelta(minutes=30), utc("2026-03-30T15:00"), utc("2026-03-31T10:30"))
    assert [(when, level) for when, rule, level in made if rule == "not_acknowledged"] == [
        (utc("2026-03-30T16:00"), 1),
        (utc("2026-03-31T10:00"), 2),
    ]


def test_clocks_going_back_a_friday_evening_referral_is_due_at_five_gmt_on_monday(world):
    # Friday 23 October 2026 16:30 BST; clocks go back on Sunday 25 October.
    # Due Monday 17:00 GMT = 17:00 UTC, not an hour early.
    referral = submit(world.hv, now=london("2026-10-23T16:30"))
    assert referral.acknowledge_by == utc("2026-10-26T17:00")
    made = sweep_every(dt.timedelta(minutes=15), utc("2026-10-26T15:00"), utc("2026-10-26T17:30"))
    assert made == [(utc("2026-10-26T17:00"), "not_acknowledged", 1)]


def test_an_urgent_referral_in_the_hour_the_clocks_go_back_is_due_one_real_hour_later(world):
    # 01:45 BST on 25 October 2026 is 00:45 UTC; at 01:00 UTC the clocks go
    # back to 01:00 GMT. One hour later is 01:45 UTC (01:45 GMT), not 02:45.
    received = utc("2026-10-25T00:45")
    referral = submit(world.hv, now=received, urgency="urgent")
    assert referral.urgency == "urgent"
    assert referral.acknowledge_by - referral.received_at == dt.timedelta(hours=1)
    made = sweep_every(dt.timedelta(minutes=5), received, utc("2026-10-25T02:00"))
    assert made == [(utc("2026-10-25T01:45"), "not_acknowledged", 1)]


def test_an_urgent_referral_in_the_hour_the_clocks_go_forward_is_due_one_real_hour_later(world):
    # 00:30 GMT on 29 March 2026; at 01:00 GMT the clocks jump to 02:00 BST.
    received = utc("2026-03-29T00:30")
    referral = submit(world.hv, now=received, urgency="urgent")
    assert referral.acknowledge_by == utc("2026-03-29T01:30")  # 02:30 BST
    made = sweep_every(dt.timedelta(minutes=5), received, utc("2026-03-29T02:00"))
    assert made == [(utc("2026-03-29T01:30"), "not_acknowledged", 1)]


# --- bank holidays ------------------------------------------------------------------


def test_christmas_eve_after_the_cut_off_escalates_on_the_first_working_day_after_christmas(world):
    # Thursday 24 December 2026 16:30; Friday 25 and Monday 28 (Boxing Day's
    # substitute) are bank holidays: received on Tuesday 29th, due 17:00 then.
    referral = submit(world.hv, now=london("2026-12-24T16:30"))
    assert referral.acknowledge_by == london("2026-12-29T17:00")
    made = sweep_every(
        dt.timedelta(hours=4), london("2026-12-24T17:00"), london("2026-12-29T18:00")
    )
    assert made == [(london("2026-12-29T17:00"), "not_acknowledged", 1)]


def test_sweeps_over_easter_escalate_each_level_once_on_working_time(world):
    # Thursday 2 April 2026 10:00 BST. Good Friday (3rd) and Easter Monday
    # (6th) are bank holidays. Due: acknowledge 17:00 Thursday; senior managers
    # two working hours later, 11:00 Tuesday; decide by the close of the next
    # working day, 17:00 Tuesday; senior managers 11:00 Wednesday.
    referral = submit(world.hv, now=london("2026-04-02T10:00"))
    # Every three hours (11:00, 14:00, 17:00...), through the long weekend.
    made = sweep_every(
        dt.timedelta(hours=3), london("2026-04-02T11:00"), london("2026-04-09T11:00")
    )
    assert made == [
        (london("2026-04-02T17:00"), "not_acknowledged", 1),
        (london("2026-04-07T11:00"), "not_acknowledged", 2),
        (london("2026-04-07T17:00"), "not_decided", 1),
        (london("2026-04-08T11:00"), "not_decided", 2),
    ]
    assert [due for _, _, due, _ in escalations_of(referral)] == [
        london("2026-04-02T17:00"),
        london("2026-04-07T11:00"),
        london("2026-04-07T17:00"),
        london("2026-04-08T11:00"),
    ]


# --- a decision reopened by a challenge -------------------------------------------


def test_a_reopened_decision_is_due_again_and_escalates_on_its_new_deadlines(world):
    referral = decided(world)  # received Wednesday 25 November, decided that day
    challenge = raise_challenge(
        referral=referral, actor=world.hv, reasons="Disagree.", now=london("2026-11-25T14:00")
    )
    answer_challenge(
        challenge=challenge,
        actor=world.manager,
        outcome="changed",
        response="We will look again.",
        now=london("2026-11-26T10:00"),
    )
    # Reopened on Thursday morning: decide by 17:00 Friday, senior managers
    # told at 11:00 on Monday.
    referral.refresh_from_db()
    assert referral.decide_by == london("2026-11-27T17:00")
    assert referral.clock.decide_by == london("2026-11-27T17:00")
    assert referral.clock.decision_senior_at == london("2026-11-30T11:00")
    made = sweep_every(
        dt.timedelta(hours=2), london("2026-11-26T11:00"), london("2026-11-30T13:00")
    )
    assert [(when, level) for when, rule, level in made if rule == "not_decided"] == [
        (london("2026-11-27T17:00"), 1),
        (london("2026-11-30T11:00"), 2),
    ]
    assert sorted(
        referral.escalations.filter(rule="not_decided").values_list("subject_id", "level")
    ) == [(1, 1), (1, 2)]
