"""A real Celery worker and beat, against the configured broker (Redis in CI),
escalate an overdue referral and deliver its emails."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notifications.models import DeliveryStatus, Notification
from referrals.models import Escalation
from tests.conftest import submit

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own programs
        [sys.executable, "-m", "celery", "-A", "portal", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"Timed out waiting for {what}")


def test_beat_and_worker_escalate_an_overdue_referral_and_deliver_its_email(world, tmp_path):
    # Ten days back: every deadline and senior step has passed whatever the
    # day and time the test runs (the senior steps run on working hours).
    referral = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FRONTDOOR_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SWEEP_INTERVAL_SECONDS": "2",
        "DISPATCH_INTERVAL_SECONDS": "2",
    }
    # Our own queues (on the shared Redis, no other worker takes our tasks),
    # each with its worker, as in production: escalation never waits on email.
    queues = {
        name: f"frontdoor-test-{name}-{os.getpid()}"
        for name in (
            "ESCALATION_QUEUE",
            "EMAIL_QUEUE",
            "WEBHOOK_QUEUE",
            "CELERY_TASK_DEFAULT_QUEUE",
        )
    }
    env.update(queues)
    workers = {
        kind: start(
            ["worker", "--pool=solo", "--loglevel=INFO", "-Q", queues[setting], "-n", f"{kind}@%h"],
            env,
            tmp_path / f"{kind}.log",
        )
        for kind, setting in (
            ("escalation", "ESCALATION_QUEUE"),
            ("email", "EMAIL_QUEUE"),
            ("webhooks", "WEBHOOK_QUEUE"),
        )
    }
    beat = start(
        ["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
        env,
        tmp_path / "beat.log",
    )
    try:
        wait_for(
            lambda: Escalation.objects.filter(referral=referral).count() == 4,
            timeout=90,
            what="the sweep to escalate the referral to both levels of both rules",
        )
        wait_for(
            lambda: (
                not Notification.objects.filter(referral=referral)
                .exclude(status=DeliveryStatus.SENT)
                .exists()
            ),
            timeout=90,
            what="the worker to deliver every email",
        )
        # Let beat run a few more sweeps: nothing escalates twice.
        time.sleep(5)
    finally:
        for process in (beat, *workers.values()):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (beat, *workers.values()):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        connection.close()

    escalation_log = (tmp_path / "escalation.log").read_text()
    email_log = (tmp_path / "email.log").read_text()
    logs = escalation_log + email_log
    # Each kind of work on its own worker (the banner lists every task; a
    # task run is logged as "Task <name>[<id>] received").
    assert "Task referrals.tasks.sweep_overdue_referrals[" in escalation_log
    assert "Task notifications.tasks.dispatch_email[" not in escalation_log
    assert "Task notifications.tasks.dispatch_email[" in email_log
    assert "Task referrals.tasks.sweep_overdue_referrals[" not in email_log
    assert sorted(referral.escalations.values_list("rule", "level")) == [
        ("not_acknowledged", 1),
        ("not_acknowledged", 2),
        ("not_decided", 1),
        ("not_decided", 2),
    ], logs
    escalation_emails = Notification.objects.filter(referral=referral, purpose="escalation")
    assert sorted(n.to_address for n in escalation_emails) == sorted(
        [world.manager.email, world.senior.email] * 2
    )
    written = "\n".join(p.read_text() for p in mail_dir.glob("*.log"))
    # Each email delivered once: the outbox keeps one row per recipient and step.
    assert written.count(f"Escalation: {referral.reference} not acknowledged in time") == 2
    assert written.count(f"Escalation: {referral.reference} no decision in time") == 2
