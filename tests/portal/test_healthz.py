from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from core.heartbeat import beat
from notifications.models import DeliveryStatus, Notification


def test_healthz_reports_the_database_and_broker(db):
    beat("escalation-sweep")
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["problems"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_healthz_answers_503_when_the_broker_is_down(db, broker_down):
    beat("escalation-sweep")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["status"] == "unavailable"


def test_healthz_says_when_the_sweep_last_ran(db):
    from io import StringIO

    from django.core.management import call_command

    assert Client().get("/healthz").json()["checks"]["escalation_sweep"]["last_success_at"] is None
    call_command("sweep_overdue", stdout=StringIO(), stderr=StringIO())
    sweep = Client().get("/healthz").json()["checks"]["escalation_sweep"]
    assert sweep["last_success_at"] is not None and sweep["seconds_ago"] < 60  # it just ran


def test_a_sweep_that_has_never_succeeded_is_reported_as_stalled(db):
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["problems"] == ["escalation_sweep"]
    assert body["checks"]["escalation_sweep"]["ok"] is False


def test_a_sweep_older_than_the_limit_is_stalled_and_monitoring_gets_503(db, settings):
    settings.SWEEP_STALLED_AFTER_MINUTES = 10
    beat("escalation-sweep", now=timezone.now() - dt.timedelta(minutes=11))
    response = Client().get("/healthz")
    assert response.status_code == 503
    sweep = response.json()["checks"]["escalation_sweep"]
    assert sweep == {**sweep, "ok": False, "stalled_after_minutes": 10}
    assert sweep["seconds_ago"] >= 11 * 60


def test_a_sweep_within_the_limit_is_healthy(db, settings):
    settings.SWEEP_STALLED_AFTER_MINUTES = 10
    beat("escalation-sweep", now=timezone.now() - dt.timedelta(minutes=9))
    response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["escalation_sweep"]["ok"] is True


def test_the_default_stall_limit_follows_the_sweep_interval():
    # Five missed sweeps, never less than five minutes.
    from portal import settings as module

    assert max(5, 5 * module.SWEEP_INTERVAL_SECONDS // 60) == module.SWEEP_STALLED_AFTER_MINUTES


def _message(*, due: dt.datetime, status: str = DeliveryStatus.PENDING) -> Notification:
    return Notification.objects.create(
        purpose="receipt",
        to_address="someone@example.test",
        subject="s",
        body="b",
        status=status,
        next_attempt_at=due,
        created_at=due,
    )


@pytest.mark.parametrize("minutes_ago", [0, 14])
def test_messages_due_for_less_than_the_limit_are_not_a_backlog(db, settings, minutes_ago):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    _message(due=timezone.now() - dt.timedelta(minutes=minutes_ago))
    response = Client().get("/healthz")
    assert response.status_code == 200, response.json()
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is True and outbox["due_longer_than_limit"] == 0
    assert outbox["oldest_due_seconds"] >= minutes_ago * 60


def test_a_growing_outbox_backlog_is_reported_with_its_size_and_oldest_age(db, settings):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    now = timezone.now()
    for minutes in (16, 30, 90):
        _message(due=now - dt.timedelta(minutes=minutes))
    _message(due=now - dt.timedelta(minutes=2))
    # Sent, failed and not-yet-due (retrying later) messages are not a backlog.
    _message(due=now - dt.timedelta(hours=5), status=DeliveryStatus.SENT)
    _message(due=now - dt.timedelta(hours=5), status=DeliveryStatus.FAILED)
    _message(due=now + dt.timedelta(minutes=30))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["problems"] == ["outbox"]
    outbox = body["checks"]["outbox"]
    assert outbox["ok"] is False
    assert outbox["due_longer_than_limit"] == 3
    assert 90 * 60 <= outbox["oldest_due_seconds"] < 91 * 60


def test_a_stalled_sweep_and_a_backlog_are_both_listed(db, settings):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    _message(due=timezone.now() - dt.timedelta(hours=1))
    body = Client().get("/healthz").json()
    assert body["problems"] == ["escalation_sweep", "outbox"]


def test_healthz_stays_cheap(db, django_assert_max_num_queries):
    beat("escalation-sweep")
    with django_assert_max_num_queries(5):
        Client().get("/healthz")
