"""/healthz: what monitoring needs to page someone during an outage, not after."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from core.heartbeat import beat
from core.models import Heartbeat
from notifications.models import Channel, DeliveryStatus, Notification

TOKEN = "monitoring-token-for-tests"


@pytest.fixture
def monitoring(settings) -> Client:
    """Monitoring, with the token that shows the figures behind the answer."""
    settings.HEALTHZ_TOKEN = TOKEN
    return Client(headers={"Authorization": f"Bearer {TOKEN}"})


def test_healthz_reports_the_database_and_broker(db, monitoring):
    beat("escalation-sweep")
    response = monitoring.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["problems"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_anyone_sees_the_status_and_problems_but_not_the_figures(db, monitoring):
    beat("escalation-sweep")
    assert Client().get("/healthz").json() == {"status": "ok", "problems": []}
    wrong = Client(headers={"Authorization": "Bearer not-the-token"}).get("/healthz").json()
    assert "checks" not in wrong
    assert "checks" in monitoring.get("/healthz").json()


def test_healthz_answers_503_when_the_broker_is_down(db, broker_down, monitoring):
    beat("escalation-sweep")
    response = monitoring.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["status"] == "unavailable"


def test_a_redis_that_accepts_connections_and_never_answers_is_reported_down(db, monitoring):
    import socket

    from portal.celery import app

    # A listening socket nobody reads: the kernel accepts the connection and
    # the PING is never answered, as with a frozen Redis.
    frozen = socket.create_server(("127.0.0.1", 0))
    saved = app.conf.broker_write_url
    try:
        app.conf.update(broker_write_url=f"redis://127.0.0.1:{frozen.getsockname()[1]}/0")
        beat("escalation-sweep")
        body = monitoring.get("/healthz").json()
    finally:
        app.conf.update(broker_write_url=saved)
        frozen.close()
    assert body["checks"]["broker"] == {
        "ok": False,
        "transport": "redis",
        "error": body["checks"]["broker"]["error"],
    }
    assert body["checks"]["broker"]["error"] in {"TimeoutError", "ConnectionError"}
    assert body["problems"] == ["broker"]


def test_healthz_says_when_the_sweep_last_ran(db, monitoring):
    from io import StringIO

    from django.core.management import call_command

    assert (
        monitoring.get("/healthz").json()["checks"]["escalation_sweep"]["last_success_at"] is None
    )
    call_command("sweep_overdue", stdout=StringIO(), stderr=StringIO())
    sweep = monitoring.get("/healthz").json()["checks"]["escalation_sweep"]
    assert sweep["last_success_at"] is not None and sweep["seconds_ago"] < 60  # it just ran


def test_the_heartbeat_is_written_by_the_databases_clock_not_the_workers(db):
    # A worker whose clock runs an hour ahead would otherwise keep a stalled
    # sweep looking fresh for an hour.
    ahead = timezone.now() + dt.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=ahead):
        beat("escalation-sweep")
    written = Heartbeat.objects.get(name="escalation-sweep").last_success_at
    assert written < ahead - dt.timedelta(minutes=50)


def test_a_sweep_that_has_never_succeeded_is_reported_as_stalled(db, monitoring):
    response = monitoring.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["problems"] == ["escalation_sweep"]
    assert body["checks"]["escalation_sweep"]["ok"] is False


def test_a_sweep_older_than_the_limit_is_stalled_and_monitoring_gets_503(db, settings, monitoring):
    settings.SWEEP_STALLED_AFTER_MINUTES = 10
    beat("escalation-sweep", at=timezone.now() - dt.timedelta(minutes=11))
    response = monitoring.get("/healthz")
    assert response.status_code == 503
    sweep = response.json()["checks"]["escalation_sweep"]
    assert sweep == {**sweep, "ok": False, "stalled_after_minutes": 10}
    assert sweep["seconds_ago"] >= 11 * 60


def test_a_sweep_within_the_limit_is_healthy(db, settings, monitoring):
    settings.SWEEP_STALLED_AFTER_MINUTES = 10
    beat("escalation-sweep", at=timezone.now() - dt.timedelta(minutes=9))
    response = monitoring.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["escalation_sweep"]["ok"] is True


def test_the_default_stall_limit_follows_the_sweep_interval():
    # Five missed sweeps, never less than five minutes.
    from portal import settings as module

    assert max(5, 5 * module.SWEEP_INTERVAL_SECONDS // 60) == module.SWEEP_STALLED_AFTER_MINUTES


def _message(
    *,
    created: dt.datetime,
    status: str = DeliveryStatus.PENDING,
    attempts: int = 0,
    next_attempt: dt.datetime | None = None,
    channel: str = Channel.EMAIL,
) -> Notification:
    return Notification.objects.create(
        channel=channel,
        purpose="receipt" if channel == Channel.EMAIL else "webhook",
        to_address="someone@example.test",
        subject="s",
        body="b",
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt or created,
        created_at=created,
    )


@pytest.mark.parametrize("minutes_ago", [0, 14])
def test_emails_waiting_less_than_the_limit_are_not_a_backlog(
    db, settings, monitoring, minutes_ago
):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    _message(created=timezone.now() - dt.timedelta(minutes=minutes_ago))
    response = monitoring.get("/healthz")
    assert response.status_code == 200, response.json()
    email = response.json()["checks"]["outbox"]["email"]
    assert email["waiting"] == 1
    assert minutes_ago * 60 <= email["oldest_undelivered_seconds"] < (minutes_ago + 1) * 60


def test_an_email_retrying_during_an_outage_counts_from_when_it_was_written(
    db, settings, monitoring
):
    # Each retry moves its next attempt on; monitoring must still see that
    # the email has waited 40 minutes.
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    now = timezone.now()
    _message(
        created=now - dt.timedelta(minutes=40),
        attempts=7,
        next_attempt=now + dt.timedelta(minutes=4),
    )
    response = monitoring.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["problems"] == ["outbox"]
    email = body["checks"]["outbox"]["email"]
    assert email == {**email, "waiting": 1, "retrying": 1}
    assert 40 * 60 <= email["oldest_undelivered_seconds"] < 41 * 60


def test_an_email_that_failed_for_good_recently_keeps_healthz_at_503(db, settings, monitoring):
    settings.OUTBOX_FAILED_ALERT_HOURS = 24
    beat("escalation-sweep")
    now = timezone.now()
    _message(created=now - dt.timedelta(days=3), status=DeliveryStatus.FAILED)
    assert monitoring.get("/healthz").status_code == 200
    _message(created=now - dt.timedelta(hours=2), status=DeliveryStatus.FAILED)
    body = monitoring.get("/healthz").json()
    assert body["problems"] == ["outbox"]
    assert body["checks"]["outbox"]["email"]["failed_recently"] == 1


def test_an_agencys_webhook_endpoint_being_down_is_reported_but_not_a_problem(
    db, settings, monitoring
):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    _message(created=timezone.now() - dt.timedelta(hours=2), attempts=20, channel=Channel.WEBHOOK)
    response = monitoring.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["outbox"]["webhooks"]["waiting"] == 1


def test_sent_messages_are_not_a_backlog(db, settings, monitoring):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    beat("escalation-sweep")
    _message(created=timezone.now() - dt.timedelta(hours=5), status=DeliveryStatus.SENT)
    assert monitoring.get("/healthz").status_code == 200


def test_a_stalled_sweep_and_a_backlog_are_both_listed(db, settings):
    settings.OUTBOX_BACKLOG_AFTER_MINUTES = 15
    _message(created=timezone.now() - dt.timedelta(hours=1))
    body = Client().get("/healthz").json()
    assert body["problems"] == ["escalation_sweep", "outbox"]


def test_healthz_stays_cheap(db, django_assert_max_num_queries):
    beat("escalation-sweep")
    with django_assert_max_num_queries(6):
        Client().get("/healthz")


def test_a_front_door_without_a_duty_team_address_is_a_warning_not_an_outage(world, monitoring):
    beat("escalation-sweep")
    world.other_front_door.edt_alert_email = "edt@southport.example"
    world.other_front_door.save()
    response = monitoring.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["warnings"] == ["duty_team"]
    assert body["checks"]["duty_team"] == {
        "ok": False,
        "front_doors_without_address": ["Northbridge Front Door"],
    }
    anyone = Client().get("/healthz").json()
    assert anyone == {"status": "ok", "problems": [], "warnings": ["duty_team"]}

    world.front_door.edt_alert_email = "edt@northbridge.example"
    world.front_door.save()
    body = monitoring.get("/healthz").json()
    assert "warnings" not in body and body["checks"]["duty_team"]["ok"] is True


def test_a_closed_front_door_needs_no_duty_team(world, monitoring):
    beat("escalation-sweep")
    world.front_door.edt_alert_email = "edt@northbridge.example"
    world.front_door.save()
    world.other_front_door.is_active = False
    world.other_front_door.save()
    assert "warnings" not in monitoring.get("/healthz").json()
