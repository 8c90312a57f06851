"""The police not acknowledging in time escalates once, to the force's
supervisor inbox and the front-door managers (referrals.escalation.ladder)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Escalation, PoliceNotice
from referrals.selectors.timeline import timeline
from referrals.services.police import acknowledge_for_police
from tests.conftest import WEDNESDAY_10AM, client_for, submit
from tests.referrals.test_pathways import injured_baby

DUE = WEDNESDAY_10AM + dt.timedelta(hours=1)
RULE = "police_not_acknowledged"


def injured(world, **kwargs):
    return submit(world.hv, now=kwargs.pop("now", WEDNESDAY_10AM), **injured_baby())


def police_escalations():
    return Escalation.objects.filter(rule=RULE)


def test_nothing_escalates_a_minute_before_the_police_deadline(world, police):
    injured(world)
    escalate_overdue_referrals(now=DUE - dt.timedelta(minutes=1))
    assert not police_escalations().exists()


def test_at_the_deadline_the_supervisors_and_managers_are_told_once(world, police):
    referral = injured(world)
    escalate_overdue_referrals(now=DUE)
    escalate_overdue_referrals(now=DUE + dt.timedelta(hours=5))
    escalate_overdue_referrals(now=DUE + dt.timedelta(days=3))
    assert list(police_escalations().values_list("referral_id", "level", "due_at")) == [
        (referral.pk, 1, DUE)
    ]
    supervisors = Notification.objects.filter(
        purpose="escalation", to_address="ppu-supervisors@police.example"
    )
    assert supervisors.count() == 1
    email = supervisors.get()
    assert referral.reference in email.subject and "Marsh" not in email.body
    assert f"/police/referrals/{referral.reference}/" in email.body
    managers = Notification.objects.filter(
        purpose="escalation", to_address=world.manager.email, body__contains=referral.reference
    )
    assert managers.filter(body__contains="Police did not acknowledge").count() == 1
    # The other force's supervisors hear nothing.
    assert not Notification.objects.filter(
        to_address="southport-supervisors@police.example"
    ).exists()
    notice = PoliceNotice.objects.get(referral=referral)
    assert notice.escalation_level == 1 and notice.acknowledge_open


def test_an_officer_who_acknowledged_in_time_is_never_chased(world, police):
    referral = injured(world)
    notice = PoliceNotice.objects.get(referral=referral)
    acknowledge_for_police(notice=notice, actor=police.officer, now=DUE - dt.timedelta(seconds=1))
    escalate_overdue_referrals(now=DUE + dt.timedelta(days=1))
    assert not police_escalations().exists()


def test_the_escalation_is_on_the_timeline_and_the_referral_page(world, police):
    referral = injured(world)
    escalate_overdue_referrals(now=DUE)
    items = timeline(referral, viewer=world.mash)
    assert any("Police did not acknowledge in time" in item.summary for item in items)
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not acknowledged" in page
    assert "escalated to police supervisors and front-door managers" in page


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_police_notice_once(world, police):
    referrals = [injured(world, now=WEDNESDAY_10AM + dt.timedelta(seconds=i)) for i in range(30)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            escalate_overdue_referrals(now=DUE + dt.timedelta(minutes=5), batch_size=4)
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
    assert police_escalations().count() == 30
    assert sorted(police_escalations().values_list("referral_id", flat=True)) == sorted(
        r.pk for r in referrals
    )
    supervisors = Notification.objects.filter(
        purpose="escalation", to_address="ppu-supervisors@police.example"
    )
    assert supervisors.count() == 30
    assert set(PoliceNotice.objects.values_list("escalation_level", flat=True)) == {1}
