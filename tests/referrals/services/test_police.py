"""Telling the police, and an officer acknowledging (referrals.services.police)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action, AuditEvent
from notifications.models import Notification
from referrals.models import PoliceNotice, Referral
from referrals.services.decision import decide_referral
from referrals.services.police import (
    PoliceAlreadyAcknowledged,
    acknowledge_for_police,
    mark_possible_crime,
)
from tests.conftest import WEDNESDAY_10AM, submit
from tests.referrals.test_pathways import injured_baby

NOON = WEDNESDAY_10AM + dt.timedelta(hours=2)


def strategy_discussion(world, referral: Referral, *, now: dt.datetime = NOON) -> Referral:
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Reasonable cause to suspect significant harm.",
        next_steps="",
        next_steps_owner="",
        now=now,
    )
    referral.refresh_from_db()
    return referral


def test_an_injured_baby_is_given_to_the_front_doors_police_force_due_within_the_hour(
    world, police
):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    notice = PoliceNotice.objects.get(referral=referral)
    assert notice.police == police.force
    assert notice.reasons == ["injured_baby"]
    assert notice.acknowledge_by == WEDNESDAY_10AM + dt.timedelta(hours=1)
    assert notice.acknowledge_open and notice.acknowledged_by is None
    # The one email the pathway sends links to the police's own page.
    email = Notification.objects.get(referral=referral, purpose="police")
    assert f"/police/referrals/{referral.reference}/" in email.body
    assert "Marsh" not in email.body and "Marsh" not in email.subject


def test_a_strategy_discussion_tells_the_police_within_two_working_hours(world, police):
    referral = strategy_discussion(world, submit(world.hv, now=WEDNESDAY_10AM))
    notice = PoliceNotice.objects.get(referral=referral)
    assert notice.reasons == ["strategy_discussion"]
    assert notice.notified_at == NOON
    assert notice.acknowledge_by == NOON + dt.timedelta(hours=2)
    assert referral.police_notified_at == NOON
    # Today's default deadline for the discussion, from the decision.
    assert referral.strategy_discussion_by == NOON + dt.timedelta(hours=24)
    email = Notification.objects.get(referral=referral, purpose="police")
    assert email.to_address == "ppu@police.example"
    assert referral.reference in email.subject and "Marsh" not in email.body
    assert referral.events.filter(kind="police_notified").count() == 1


def test_a_strategy_discussion_after_an_injured_baby_keeps_the_first_deadlines(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    strategy_discussion(world, referral, now=WEDNESDAY_10AM + dt.timedelta(minutes=30))
    notice = PoliceNotice.objects.get(referral=referral)
    assert notice.reasons == ["injured_baby", "strategy_discussion"]
    assert notice.acknowledge_by == WEDNESDAY_10AM + dt.timedelta(hours=1)
    referral.refresh_from_db()
    assert referral.strategy_discussion_by == WEDNESDAY_10AM + dt.timedelta(hours=24)


def test_a_notice_on_friday_afternoon_is_due_on_monday_morning(world, police):
    friday_1630 = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC)
    referral = submit(world.hv, now=friday_1630 - dt.timedelta(hours=1))
    strategy_discussion(world, referral, now=friday_1630)
    notice = PoliceNotice.objects.get(referral=referral)
    # 30 minutes on Friday, 90 on Monday from 9am.
    assert notice.acknowledge_by == dt.datetime(2026, 11, 30, 10, 30, tzinfo=dt.UTC)


def test_without_a_police_force_on_the_portal_the_police_inbox_is_still_told(world):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    referral = strategy_discussion(world, submit(world.hv, now=WEDNESDAY_10AM))
    assert not PoliceNotice.objects.filter(referral=referral).exists()
    assert Notification.objects.filter(
        referral=referral, purpose="police", to_address="ppu@police.example"
    ).exists()


def test_other_decisions_do_not_tell_the_police(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="assessment",
        reasons="Child in need.",
        next_steps="",
        next_steps_owner="",
        now=NOON,
    )
    assert not PoliceNotice.objects.filter(referral=referral).exists()
    assert not Notification.objects.filter(referral=referral, purpose="police").exists()


def test_the_front_door_marks_a_possible_crime_and_the_police_are_told(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    notice = mark_possible_crime(
        referral=referral, actor=world.mash, note="  Assault by the father.  ", now=NOON
    )
    assert notice is not None
    assert notice.reasons == ["possible_crime"] and notice.crime_note == "Assault by the father."
    assert notice.acknowledge_by == NOON + dt.timedelta(hours=2)
    assert AuditEvent.objects.filter(
        action=Action.POLICE_TOLD, object_ref=referral.reference, actor=world.mash
    ).exists()
    # The note is for the police's page, never for an email.
    email = Notification.objects.get(referral=referral, purpose="police")
    assert "Assault" not in email.body


def test_a_possible_crime_needs_to_say_what_crime(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    with pytest.raises(ValidationError) as error:
        mark_possible_crime(referral=referral, actor=world.mash, note="   ", now=NOON)
    assert error.value.message_dict == {"note": ["Enter what crime may have been committed"]}
    assert not PoliceNotice.objects.exists()


@pytest.mark.parametrize("who", ["hv", "lead_a", "outsider", "senior", "admin"])
def test_only_front_door_practitioners_and_managers_mark_a_possible_crime(world, police, who):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):
        mark_possible_crime(referral=referral, actor=getattr(world, who), note="Assault", now=NOON)


def test_a_named_officer_acknowledges_and_the_timeline_and_audit_say_who(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    notice = PoliceNotice.objects.get(referral=referral)
    at = WEDNESDAY_10AM + dt.timedelta(minutes=20)
    acknowledge_for_police(notice=notice, actor=police.officer, now=at)
    notice.refresh_from_db()
    assert notice.acknowledged_by == police.officer and notice.acknowledged_at == at
    assert not notice.acknowledge_open
    event = referral.events.get(kind="police_acknowledged")
    assert event.summary == (
        "Police acknowledged by Priya Okafor (Northbridge Police Public Protection Unit)"
    )
    assert AuditEvent.objects.filter(
        action=Action.POLICE_ACKNOWLEDGED, object_ref=referral.reference, actor=police.officer
    ).exists()
    change = notice.history.get(history_type="~")
    assert change.history_change_reason == "Acknowledged by the police"
    assert change.history_user == police.officer


def test_a_second_acknowledgement_says_who_was_first(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    notice = PoliceNotice.objects.get(referral=referral)
    acknowledge_for_police(notice=notice, actor=police.officer, now=WEDNESDAY_10AM)
    stale = PoliceNotice.objects.get(pk=notice.pk)
    stale.acknowledge_open = True
    with pytest.raises(PoliceAlreadyAcknowledged) as error:
        acknowledge_for_police(notice=stale, actor=police.officer)
    assert error.value.notice.acknowledged_by == police.officer
    assert referral.events.filter(kind="police_acknowledged").count() == 1


@pytest.mark.parametrize("who", ["mash", "manager", "hv"])
def test_only_an_officer_of_the_force_that_was_told_acknowledges(world, police, who):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    notice = PoliceNotice.objects.get(referral=referral)
    for person in (getattr(world, who), police.other_officer):
        with pytest.raises(PermissionDenied):
            acknowledge_for_police(notice=notice, actor=person)
    notice.refresh_from_db()
    assert notice.acknowledge_open
