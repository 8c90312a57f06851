from __future__ import annotations

from django.test import Client


def test_healthz_reports_the_database_and_broker(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_healthz_answers_503_when_the_broker_is_down(db, broker_down):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_says_when_the_sweep_last_ran(db):
    from io import StringIO

    from django.core.management import call_command

    assert Client().get("/healthz").json()["checks"]["escalation_sweep"]["last_success_at"] is None
    call_command("sweep_overdue", stdout=StringIO(), stderr=StringIO())
    sweep = Client().get("/healthz").json()["checks"]["escalation_sweep"]
    assert sweep["last_success_at"] is not None and sweep["seconds_ago"] < 60  # it just ran
