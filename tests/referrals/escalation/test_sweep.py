"""Escalation: each level exactly once, catch-up after downtime, concurrent sweeps."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from agencies.models import Agency, Role, Webhook
from agencies.webhooks import new_secret
from audit.models import AuditEvent
from core.heartbeat import heartbeat_status
from core.secrets import encrypt
from notifications.models import Notification
from referrals.escalation import sweep
from referrals.escalation.sweep import HEARTBEAT, escalate_overdue_referrals, run_sweep
from referrals.models import Challenge, Child, Escalation, InformationRequest, ReferralClock
from referrals.selectors.timeline import timeline
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.challenge import answer_challenge, raise_challenge
from referrals.services.decision import decide_referral
from referrals.services.triage import request_information
from tests.conftest import WEDNESDAY_10AM, client_for, decided, make_user, submit

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
    referral.clock.refresh_from_db()
    assert referral.clock.escalation_level == 1
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
    assert [
        item.summary for item in timeline(referral, viewer=world.mash) if item.kind == "escalated"
    ] == [
        "Not acknowledged in time: escalated to front-door managers",
        "Not acknowledged in time: escalated to senior managers",
    ]


def test_a_sweep_after_long_downtime_catches_up_every_level_once(world):
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i)) for i in range(7)]
    three_days_later = RECEIVED + dt.timedelta(days=3)
    result = escalate_overdue_referrals(now=three_days_later, batch_size=3)
    # Not acknowledged (levels 1 and 2) and not decided (levels 1 and 2).
    assert result.count == 28
    for referral in referrals:
        assert sorted(referral.escalations.values_list("rule", "level")) == [
            ("not_acknowledged", 1),
            ("not_acknowledged", 2),
            ("not_decided", 1),
            ("not_decided", 2),
        ]


def test_an_acknowledged_referral_never_escalates(world):
    referral = submit(world.hv, now=RECEIVED)
    acknowledge_referral(referral=referral, actor=world.mash, now=RECEIVED + dt.timedelta(hours=1))
    assert escalate_overdue_referrals(now=AFTER_SENIOR).count == 0


def test_escalation_is_on_the_timeline_and_in_the_audit_and_leaves_the_referral_as_it_was(world):
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    # What the referrer sent is unchanged: its history is still one version.
    assert referral.history.count() == 1
    for viewer in (world.mash, world.hv):
        [item] = [item for item in timeline(referral, viewer=viewer) if item.kind == "escalated"]
        assert (item.at, item.summary) == (
            AFTER_DEADLINE,
            "Not acknowledged in time: escalated to front-door managers",
        )
    [sweep] = AuditEvent.objects.filter(action="escalated")
    assert (sweep.actor, sweep.via, sweep.object_type) == (None, "task", "escalation_sweep")
    assert sweep.detail == {
        "rule": "not_acknowledged",
        "level": 1,
        "escalated": 1,
        "references": [referral.reference],
    }


def test_referrals_that_breach_together_reach_each_manager_in_one_email(world):
    """At the close of the day many referrals breach at once: one email per
    manager lists them all, with no child's details in it."""
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i)) for i in range(3)]
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    [email] = Notification.objects.filter(purpose="escalation")
    assert (email.to_address, email.referral_id, email.front_door_id) == (
        world.manager.email,
        None,
        world.front_door.pk,
    )
    assert email.subject == "Escalation: 3 referrals not acknowledged in time"
    for referral in referrals:
        assert email.body.count(referral.reference) == 2  # the reference and its link
    for child in Child.objects.all():
        assert child.last_name not in email.body


def test_a_summary_of_hundreds_lists_fifty_and_links_to_the_rest(world):
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(seconds=i)) for i in range(55)]
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    [email] = Notification.objects.filter(purpose="escalation")
    assert email.subject == "Escalation: 55 referrals not acknowledged in time"
    assert sum(referral.reference in email.body for referral in referrals) == 50
    assert "and 5 more: http" in email.body and "/front-door/queue/?escalated=1" in email.body


def test_a_failed_summary_is_on_its_front_doors_dashboard_only(world):
    from referrals.selectors.dashboard import manager_dashboard

    for i in range(2):
        submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i))
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    Notification.objects.filter(purpose="escalation").update(status="failed", attempts=6)
    failed = manager_dashboard(world.manager, now=AFTER_DEADLINE).failed_notifications
    assert [n.subject for n in failed] == ["Escalation: 2 referrals not acknowledged in time"]
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert "Escalation: 2 referrals not acknowledged in time" in html
    other = make_user("other.manager", agency=world.other_front_door, role=Role.MANAGER)
    assert manager_dashboard(other, now=AFTER_DEADLINE).failed_notifications == []


def test_deciding_an_unacknowledged_referral_stops_both_ladders(world):
    referral = submit(world.hv, now=RECEIVED)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="No concerns found",
        next_steps="",
        next_steps_owner="",
        now=RECEIVED + dt.timedelta(hours=1),
    )
    assert escalate_overdue_referrals(now=RECEIVED + dt.timedelta(days=5)).count == 0


def test_managers_of_another_front_door_are_not_told(world):
    other_manager = make_user("other.manager", agency=world.other_front_door, role=Role.MANAGER)
    referral = submit(world.hv, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    assert not Notification.objects.filter(
        referral=referral, to_address=other_manager.email
    ).exists()


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
            Escalation.objects.filter(referral=referral)
            .order_by("level")
            .values_list("level", flat=True)
        ) == [1, 2]
    # Each referral is in exactly one summary to each level's managers.
    for person in (world.manager, world.senior):
        bodies = "".join(
            Notification.objects.filter(purpose="escalation", to_address=person.email).values_list(
                "body", flat=True
            )
        )
        assert [
            bodies.count(f"- {r.reference} ") + bodies.count(f"{r.reference}: ") for r in referrals
        ] == [1] * 40
    assert set(ReferralClock.objects.values_list("escalation_level", flat=True)) == {2}


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
    call_command(
        "sweep_overdue", "--dry-run", "--as-of", "2026-12-01T17:30", stdout=out, stderr=StringIO()
    )
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


def test_a_decision_reopened_by_a_challenge_can_escalate_again_without_stopping_the_sweep(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    escalate_overdue_referrals(
        now=WEDNESDAY_10AM + dt.timedelta(days=3)
    )  # first round: levels 1 and 2
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=WEDNESDAY_10AM + dt.timedelta(days=3, hours=1),
    )
    challenge = raise_challenge(
        referral=referral,
        actor=world.hv,
        reasons="x",
        now=WEDNESDAY_10AM + dt.timedelta(days=3, hours=2),
    )
    answer_challenge(
        challenge=challenge,
        actor=world.manager,
        outcome="changed",
        response="Reopening",
        now=WEDNESDAY_10AM + dt.timedelta(days=3, hours=3),
    )
    question = request_information(
        referral=referral,
        actor=world.mash,
        question="Q?",
        now=WEDNESDAY_10AM + dt.timedelta(days=3, hours=4),
    )
    result = escalate_overdue_referrals(now=WEDNESDAY_10AM + dt.timedelta(days=13))
    assert result.failed_steps == []
    rounds = sorted(
        referral.escalations.filter(rule="not_decided").values_list("subject_id", "level")
    )
    assert rounds == [(0, 1), (0, 2), (1, 1), (1, 2)]
    question.refresh_from_db()
    assert question.escalation_level == 1  # later rules still ran


def escalation_emails_to(person) -> list[Notification]:
    return list(
        Notification.objects.filter(purpose="escalation", to_address=person.email).order_by("id")
    )


def test_the_referrer_hears_when_their_challenge_goes_to_senior_managers(world):
    for _ in range(2):  # so that the challenge's id is not the referral's
        submit(world.gp, now=WEDNESDAY_10AM)
    referral = decided(world)
    challenge = raise_challenge(
        referral=referral, actor=world.hv, reasons="Disagree.", now=WEDNESDAY_10AM
    )
    swept_at = dt.datetime(2026, 11, 27, 17, 1, tzinfo=dt.UTC)  # step one was due 17:00 Friday
    result = escalate_overdue_referrals(now=swept_at)
    assert ("challenge_unresolved", 1) in {(e.rule, e.level) for e in result.escalated}
    [to_referrer] = [n for n in escalation_emails_to(world.hv) if n.referral_id == referral.pk]
    assert to_referrer.subject == f"Escalation: {referral.reference} challenge not resolved in time"
    assert to_referrer.body.startswith(
        f"Standard referral {referral.reference}: Challenge not answered by the front-door "
        "managers in time: now with senior managers.\n"
    )
    assert [n.subject for n in escalation_emails_to(world.senior) if "challenge" in n.subject] == [
        f"Escalation: {referral.reference} challenge not resolved in time"
    ]
    [escalation] = referral.escalations.filter(rule="challenge_unresolved")
    assert (escalation.subject_id, escalation.level, escalation.escalated_at) == (
        challenge.pk,
        1,
        swept_at,
    )
    # The challenge's own history records the change, as an edit by nobody.
    latest = Challenge.history.filter(id=challenge.pk).order_by("-history_id").first()
    assert (latest.history_type, latest.history_date, latest.history_user_id) == (
        "~",
        swept_at,
        None,
    )
    assert latest.history_change_reason == (
        "Challenge not answered by the front-door managers in time: now with senior managers"
    )
    assert latest.escalation_level == 1


def test_each_unanswered_question_reminds_the_referrer_once(world):
    for _ in range(3):
        submit(world.gp, now=RECEIVED)
    referral = submit(world.hv, now=RECEIVED)
    questions = [
        request_information(referral=referral, actor=world.mash, question=q, now=RECEIVED)
        for q in ("Who else lives there?", "Is the GP aware?")
    ]
    swept_at = dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC)  # due 17:00 Thursday
    escalate_overdue_referrals(now=swept_at)
    reminders = [
        n for n in escalation_emails_to(world.hv) if "information not answered" in n.subject
    ]
    assert len(reminders) == 2
    assert all(n.referral_id == referral.pk for n in reminders)
    assert sorted(
        referral.escalations.filter(rule="information_unanswered").values_list(
            "subject_id", flat=True
        )
    ) == sorted(q.pk for q in questions)
    for question in questions:
        question.refresh_from_db()
        assert question.escalation_level == 1
        assert InformationRequest.history.filter(id=question.pk, history_type="~").count() == 1


def test_a_question_to_another_agency_reminds_that_agency_not_the_referrer(world):
    for _ in range(3):
        submit(world.gp, now=RECEIVED)
    referral = submit(world.hv, now=RECEIVED)
    request_information(
        referral=referral,
        actor=world.mash,
        question="Has the child been seen at the practice?",
        to_agency=world.agency_b,
        now=RECEIVED,
    )
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC))
    about_the_question = Notification.objects.filter(
        purpose="escalation", subject__contains="information not answered"
    )
    told = {n.to_address for n in about_the_question}
    assert told == {world.manager.email, world.gp.email}  # and not the health visitor


def test_a_summary_lists_urgent_referrals_first_then_by_reference(world):
    standard = [submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i)) for i in range(3)]
    urgent = submit(world.hv, now=RECEIVED + dt.timedelta(hours=1), urgency="urgent")
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    [email] = [e for e in escalation_emails_to(world.manager) if "acknowledged" in e.subject]
    listed = [line.split()[1] for line in email.body.splitlines() if line.startswith("- ")]
    assert listed == [urgent.reference] + sorted(r.reference for r in standard)
    assert f"- {urgent.reference} (urgent referral): " in email.body


def test_each_front_door_with_managers_gets_its_own_summary(world):
    # A third front door, with no managers yet: its urgent referral comes
    # first in the sweep, and must not stop the others being told.
    new_door = Agency.objects.create(name="Eastgate Front Door", kind="front_door")
    new_gp = make_user(
        "gp.east",
        agency=Agency.objects.create(name="Eastgate GP", kind="gp_practice", front_door=new_door),
        role=Role.REFERRER,
    )
    south_gp = make_user(
        "gp.south",
        agency=Agency.objects.create(
            name="Southport GP", kind="gp_practice", front_door=world.other_front_door
        ),
        role=Role.REFERRER,
    )
    south_manager = make_user("manager.south", agency=world.other_front_door, role=Role.MANAGER)
    submit(new_gp, now=RECEIVED + dt.timedelta(hours=5), urgency="urgent")
    north = submit(world.hv, now=RECEIVED)
    south = submit(south_gp, now=RECEIVED)
    escalate_overdue_referrals(now=AFTER_DEADLINE)
    [to_north] = escalation_emails_to(world.manager)
    [to_south] = escalation_emails_to(south_manager)
    assert north.reference in to_north.subject and south.reference not in to_north.body
    assert south.reference in to_south.subject and north.reference not in to_south.body
    assert Notification.objects.filter(purpose="escalation").count() == 2


def test_an_acknowledged_referral_still_escalates_if_not_decided_in_time(world):
    referral = submit(world.hv, now=RECEIVED)
    acknowledge_referral(referral=referral, actor=world.mash, now=RECEIVED + dt.timedelta(hours=1))
    result = escalate_overdue_referrals(now=RECEIVED + dt.timedelta(days=3))
    assert [(e.rule, e.level) for e in result.escalated] == [
        ("not_decided", 1),
        ("not_decided", 2),
    ]


def test_the_sending_agencys_system_hears_of_each_escalation(world):
    Webhook.objects.create(
        agency=world.agency_a,
        url="https://case-system.example.test/front-door",
        encrypted_secret=encrypt(new_secret()),
        events=[],
        created_at=timezone.now(),
    )
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(minutes=i)) for i in range(2)]
    acknowledge_referral(
        referral=referrals[0], actor=world.mash, now=RECEIVED + dt.timedelta(hours=1)
    )
    swept_at = dt.datetime(2026, 11, 26, 17, 1, tzinfo=dt.UTC)
    escalate_overdue_referrals(now=swept_at)
    sent: dict[str, list[dict]] = {}
    for hook in Notification.objects.filter(channel="webhook", subject="referral.escalated"):
        payload = json.loads(hook.body)
        sent.setdefault(payload["reference"], []).append(payload)
        assert (hook.created_at, hook.next_attempt_at) == (swept_at, swept_at)
    acknowledged, unacknowledged = referrals
    # Not acknowledged (levels 1 and 2) for one, not decided (level 1) for both.
    assert {ref: len(payloads) for ref, payloads in sent.items()} == {
        acknowledged.reference: 1,
        unacknowledged.reference: 3,
    }
    # Rules about the referral itself have no other subject.
    assert set(unacknowledged.escalations.values_list("rule", "subject_id")) == {
        ("not_acknowledged", 0),
        ("not_decided", 0),
    }
    [payload] = sent[acknowledged.reference]
    assert payload["event"] == "referral.escalated"
    assert payload["status"] == "acknowledged"
    assert payload["occurred_at"] == swept_at.isoformat()
    assert payload["url"].endswith(f"/{acknowledged.reference}/")


def test_an_urgent_consultation_is_named_as_such_in_the_escalation(world):
    referral = submit(world.hv, now=RECEIVED, urgency="urgent", kind="consultation")
    escalate_overdue_referrals(now=RECEIVED + dt.timedelta(hours=1, minutes=1))
    [email] = escalation_emails_to(world.manager)
    assert email.body.startswith(f"Urgent consultation {referral.reference}: ")


def test_a_sweep_that_ran_every_step_records_its_heartbeat(world):
    assert run_sweep().failed_steps == []
    assert heartbeat_status(HEARTBEAT, stalled_after_minutes=5)["ok"]


def test_a_failing_step_is_reported_and_logged_and_the_other_steps_still_run(
    world, monkeypatch, caplog
):
    referral = submit(world.hv, now=RECEIVED)
    real_claim = sweep.claim_batch

    def claim_failing_first_step(step, **kwargs):
        if (step.rule, step.level) == ("not_acknowledged", 1):
            raise DatabaseError("could not serialize access")
        return real_claim(step, **kwargs)

    monkeypatch.setattr(sweep, "claim_batch", claim_failing_first_step)
    with caplog.at_level(logging.ERROR, logger="referrals.escalation.sweep"):
        result = escalate_overdue_referrals(now=RECEIVED + dt.timedelta(days=3))
    assert result.failed_steps == ["not_acknowledged:1"]
    assert [(e.reference, e.rule, e.level) for e in result.escalated] == [
        (referral.reference, "not_decided", 1),
        (referral.reference, "not_decided", 2),
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "Escalation step not_acknowledged level 1 failed"
    ]
    # Nor does a sweep with a failing step count as a heartbeat.
    assert run_sweep().failed_steps == ["not_acknowledged:1"]
    assert not heartbeat_status(HEARTBEAT, stalled_after_minutes=5)["ok"]
