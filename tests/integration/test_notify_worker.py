"""A real Celery worker and beat deliver through GOV.UK Notify (the local
fake, reached over loopback from the worker's own process): an injured
baby's police email and the on-call text, each once, texts on the email
workers' queue."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time

import pytest
from django.db import connection
from django.utils import timezone

from agencies.models import OnCallRole, OnCallShift
from notifications.models import Channel, DeliveryStatus, Notification
from tests.conftest import submit
from tests.integration.test_worker_and_beat import database_url, start, wait_for
from tests.notifications.notify_fake import FakeNotify

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_sends_the_police_email_and_the_on_call_text_once_each(world, tmp_path, settings):
    notify = FakeNotify().start()
    templates = {
        "NOTIFY_API_KEY": notify.api_key,
        "NOTIFY_BASE_URL": notify.base_url,
        "NOTIFY_EMAIL_TEMPLATE_ID": notify.add_template("email", "((subject))", "((body))"),
        "NOTIFY_SMS_TEMPLATE_ID": notify.add_template("sms", "", "((body))"),
    }
    for name, value in templates.items():
        setattr(settings, name, value)
    now = timezone.now()
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save(update_fields=["police_alert_email"])
    OnCallShift.objects.create(
        front_door=world.front_door,
        role=OnCallRole.DUTY_MANAGER,
        name="Pat Duty",
        phone="07700 900 123",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=8),
    )
    born = (now.date() - dt.timedelta(weeks=12)).isoformat()
    referral = submit(
        world.hv,
        now=now,
        child={"date_of_birth": born},
        concern={"categories": ["non_mobile_injury"]},
    )
    env = {
        **os.environ,
        **templates,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FRONTDOOR_VAR_DIR": str(tmp_path / "var"),
        "DISPATCH_INTERVAL_SECONDS": "2",
        "SWEEP_INTERVAL_SECONDS": "2",
    }
    queues = {
        name: f"frontdoor-test-notify-{name}-{os.getpid()}"
        for name in (
            "ESCALATION_QUEUE",
            "EMAIL_QUEUE",
            "WEBHOOK_QUEUE",
            "CELERY_TASK_DEFAULT_QUEUE",
        )
    }
    env.update(queues)
    worker = start(
        ["worker", "--pool=solo", "--loglevel=INFO", "-Q", queues["EMAIL_QUEUE"], "-n", "email@%h"],
        env,
        tmp_path / "email.log",
    )
    beat = start(
        ["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
        env,
        tmp_path / "beat.log",
    )
    try:
        wait_for(
            lambda: (
                not Notification.objects.filter(referral=referral)
                .exclude(status=DeliveryStatus.SENT)
                .exists()
            ),
            timeout=90,
            what="the worker to send every email and text through Notify",
        )
        time.sleep(5)  # more beats: nothing goes twice
    finally:
        for process in (beat, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (beat, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        connection.close()
        notify.stop()

    owed = Notification.objects.filter(referral=referral)
    assert owed.filter(channel=Channel.SMS).count() == 1
    references = sorted(s.reference or "" for s in notify.sent)
    assert references == sorted(str(n.idempotency_key) for n in owed)  # each once
    assert len(notify.to("ppu@police.example")) == 1
    assert len(notify.to("07700900123")) == 1
    assert "Task notifications.tasks.dispatch_sms[" in (tmp_path / "email.log").read_text()
    assert settings.NOTIFY_API_KEY  # the test process built the texts with Notify configured
