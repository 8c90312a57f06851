"""The README's way to try webhooks: register one, run the local receiver."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from io import StringIO

from django.core.management import call_command

from notifications.dispatch import dispatch_due_notifications
from referrals.services.acknowledge import acknowledge_referral
from tests.conftest import submit
from tests.faults.servers import free_port


def test_register_a_webhook_and_see_a_signed_message_arrive_at_the_local_receiver(world, settings):
    # As the README's command line does: plain http to this machine, for trying it out.
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    port = free_port()
    out = StringIO()
    call_command(
        "register_webhook",
        "--agency",
        world.agency_a.name,
        "--url",
        f"http://127.0.0.1:{port}/",
        stdout=out,
    )
    secret = out.getvalue().strip()
    receiver = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "receive_webhooks", "--port", str(port), "--secret", secret],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert receiver.stdout is not None
        assert "Listening on" in receiver.stdout.readline()
        referral = submit(world.hv)
        acknowledge_referral(referral=referral, actor=world.mash)
        deadline = time.monotonic() + 10
        while dispatch_due_notifications().sent == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        line = receiver.stdout.readline()
        assert line.startswith("signature OK")
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


def test_a_plain_http_address_elsewhere_is_refused(world):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="https"):
        call_command(
            "register_webhook",
            "--agency",
            world.agency_a.name,
            "--url",
            "http://example.org/x",
            stdout=StringIO(),
        )
