"""Escalation: each level exactly once, catch-up after downtime, concurrent sweeps."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from notifications.models import Notification
from referrals.escalations import escalate_overdue_referrals
from referrals.models import Escalation, Referral
from referrals.services import acknowledge_referral
from tests.conftest import submit

# A Wednesday morning; the standard referral is due by 17:00 and goes to
# senior managers two working hours later (11:00 Thursday).
RECEIVED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
AFTER_DEADLINE = dt.datetime(2026, 11, 25, 17, 1, tzinfo=dt.UTC)
AFTER_SENIOR = dt.datetime(2026, 11, 26, 11, 1, tzinfo=dt.UTC)


def test_nothing_escalates_before_the_deadline(world):
    submit(world.hv, now=RECEIVED)
    assert escalate_overdue_referrals(now=RECEIVED + dt.timedelta(hours=6)).count == 0


def test_an_unacknowledged_referral_goes_to_front_door_managers_after_its_deadline(world):
    referral = submit(world.hv, now=RECEIVED)
    result = escalate_overdue_referrals(now=AFTER_DEADLINE)
    assert [(e.reference, e.level) for e in result.escalated] == [(referral.reference, 1)]
    referral.refresh_from_db()
    assert referral.escalation_level == 1
    told = Notification.objects.filter(referral=referral, purpose="escalation")
    assert [n.to_address for n in told] == [world.manager.email]


def test_then_to_senior_managers_after_a_further_two_working_hours(world):
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    result = escalate_overdue_referrals(now=AFTER_SENIOR)
    assert [(e.reference, e.level) for e in result.escalated] == [(referral.reference, 2)]
    told = Notification.objects.filter(referral=referral, purpose="escalation").order_by("id")
    assert [n.to_address for n in told] == [world.manager.email, world.senior.email]


def test_each_level_fires_once_however_often_the_sweep_runs(world):
    referral = submit(world.hv, now=RECEIVED)
    for minute in range(10):
        escalate_overdue_referrals(now=AFTER_SENIOR + dt.timedelta(minutes=minute))
    assert list(referral.escalations.values_list("level", flat=True)) == [1, 2]
    assert Notification.objects.filter(referral=referral, purpose="escalation").count() == 2
    assert referral.events.filter(kind="escalated").count() == 2


def test_a_sweep_after_long_downtime_catches_up_every_level_once(world):
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i)) for i in range(7)]
    three_days_later = RECEIVED + dt.timedelta(days=3)
    result = escalate_overdue_referrals(now=three_days_later, batch_size=3)
    # Not acknowledged (levels 1 and 2) and not decided (levels 1 and 2).
    assert result.count == 28
    for referral in referrals:
        assert sorted(referral.escalations.values_list("rule", "level")) == [
            ("not_acknowledged", 1), ("not_acknowledged", 2), ("not_decided", 1), ("not_decided", 2),
        ]


def test_an_acknowledged_referral_never_escalates(world):
    referral = submit(world.hv, now=RECEIVED)
    acknowledge_referral(referral=referral, actor=world.mash, now=RECEIVED + dt.timedelta(hours=1))
    assert escalate_overdue_referrals(now=AFTER_SENIOR).count == 0


def test_escalation_is_recorded_in_history_and_shown_on_the_timeline(world):
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    assert referral.history.count() == 2
    assert referral.history.first().history_change_reason == "Not acknowledged in time: escalated to front-door managers"
    assert referral.events.last().summary == "Not acknowledged in time: escalated to front-door managers"


def test_managers_of_another_front_door_are_not_told(world):
    from agencies.models import Role
    from tests.conftest import make_user

    other_manager = make_user("other.manager", agency=world.other_front_door, role=Role.MANAGER)
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    assert not Notification.objects.filter(referral=referral, to_address=other_manager.email).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_referral_once(world):
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(seconds=i)) for i in range(40)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            escalate_overdue_referrals(now=AFTER_SENIOR, batch_size=4)
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
    assert Escalation.objects.count() == 80
    for referral in referrals:
        assert list(
            Escalation.objects.filter(referral=referral).order_by("level").values_list("level", flat=True)
        ) == [1, 2]
    assert Notification.objects.filter(purpose="escalation").count() == 80
    assert set(Referral.objects.values_list("escalation_level", flat=True)) == {2}


def test_the_command_prints_each_referral_it_escalated(world):
    referral = submit(world.hv, now=RECEIVED - dt.timedelta(days=3))
    out = StringIO()
    call_command("sweep_overdue", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        f"{referral.reference}\tlevel 1\tFront-door managers\tnot acknowledged in time",
        f"{referral.reference}\tlevel 2\tSenior managers\tnot acknowledged in time",
        f"{referral.reference}\tlevel 1\tFront-door managers\tno decision in time",
        f"{referral.reference}\tlevel 2\tSenior managers\tno decision in time",
    ]


def test_a_dry_run_lists_what_would_escalate_at_a_given_time_and_changes_nothing(world):
    due_monday = submit(world.hv, now=dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC))
    due_tuesday = submit(world.hv, now=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC))
    submit(world.hv, now=dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC))  # due 2 December
    out = StringIO()
    call_command("sweep_overdue", "--dry-run", "--as-of", "2026-12-01T17:30", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        f"{due_monday.reference}\tlevel 1\tFront-door managers\tnot acknowledged in time",
        f"{due_tuesday.reference}\tlevel 1\tFront-door managers\tnot acknowledged in time",
        f"{due_monday.reference}\tlevel 2\tSenior managers\tnot acknowledged in time",
        f"{due_monday.reference}\tlevel 1\tFront-door managers\tno decision in time",
    ]
    assert Escalation.objects.count() == 0


def test_a_dry_run_with_a_malformed_time_says_what_it_wants(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-12-01T17:30"):
        call_command("sweep_overdue", "--dry-run", "--as-of", "tomorrow")


def test_the_sweep_compares_times_correctly_whatever_time_zone_now_is_given_in(world):
    from zoneinfo import ZoneInfo

    # Received on a summer morning: due 17:00 BST, which is 16:00 UTC.
    referral = submit(world.hv, now=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
    assert referral.acknowledge_by == dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)
    half_four_bst = dt.datetime(2026, 7, 1, 16, 30, tzinfo=ZoneInfo("Europe/London"))
    assert escalate_overdue_referrals(now=half_four_bst).count == 0
    quarter_past_five_bst = dt.datetime(2026, 7, 1, 17, 15, tzinfo=ZoneInfo("Europe/London"))
    assert escalate_overdue_referrals(now=quarter_past_five_bst).count == 1
