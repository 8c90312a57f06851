"""Nothing a mail server or an agency's endpoint does can hold a delivery
past its deadline, or stop the other messages behind it."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.mail import get_connection
from django.utils import timezone

from agencies.models import Webhook
from agencies.webhooks import new_secret
from core.secrets import encrypt
from notifications.dispatch import dispatch_due_notifications
from notifications.models import Circuit, DeliveryStatus, Notification
from referrals.services.acknowledge import acknowledge_referral
from tests.conftest import submit


class SlowServer:
    """A real server on this machine that accepts connections and then
    either never answers or answers one byte at a time, forever: no single
    read ever waits long enough to time out."""

    def __init__(self, reply: bytes = b"", byte_every: float = 0.2) -> None:
        self.reply = reply
        self.byte_every = byte_every
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            i = 0
            while not self.stopping.is_set():
                if self.reply:
                    try:
                        conn.sendall(self.reply[i % len(self.reply) : i % len(self.reply) + 1])
                    except OSError:
                        return
                    i += 1
                time.sleep(self.byte_every)

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()


@pytest.fixture
def short_deadline(settings):
    settings.NOTIFICATION_DELIVERY_DEADLINE_SECONDS = 1
    settings.EMAIL_TIMEOUT = 10  # each read may wait this long; the deadline is shorter


@pytest.fixture
def hanging_mail_server() -> Iterator[SlowServer]:
    server = SlowServer()
    yield server
    server.close()


@pytest.fixture
def trickling_mail_server() -> Iterator[SlowServer]:
    # A greeting that never ends: "220-" continuation lines, a byte at a time.
    server = SlowServer(reply=b"220-front door relay is thinking\r\n")
    yield server
    server.close()


def smtp_to(port: int):
    return get_connection("notifications.mail.SMTPBackend", host="127.0.0.1", port=port, timeout=10)


@pytest.mark.parametrize("server", ["hanging_mail_server", "trickling_mail_server"])
def test_a_mail_server_that_never_finishes_answering_costs_one_deadline(
    world, short_deadline, request, server
):
    relay = request.getfixturevalue(server)
    submit(world.hv)
    result = dispatch_due_notifications(email_connection=smtp_to(relay.port))
    # Three emails were due; each tried, and given back for a retry.
    assert result.sent == 0 and result.retrying == 3
    errors = set(Notification.objects.values_list("last_error", flat=True))
    assert errors == {"DeliveryTimedOut: no complete answer within 1 s"}
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


def test_after_three_failures_in_a_row_the_relay_is_left_alone_for_a_cool_down(
    world, short_deadline, hanging_mail_server, settings
):
    settings.CIRCUIT_FAILURES = 3
    settings.CIRCUIT_COOLDOWN_SECONDS = 30
    for _ in range(3):
        submit(world.hv)  # nine emails
    result = dispatch_due_notifications(email_connection=smtp_to(hanging_mail_server.port))
    # The batch stopped after three: the other six were not tried and not counted.
    assert result.retrying == 3
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [0] * 6 + [1] * 3
    circuit = Circuit.objects.get(name="email")
    assert circuit.is_open(timezone.now())
    # During the cool-down nothing is tried, not even what is due.
    later = timezone.now() + dt.timedelta(seconds=20)
    assert dispatch_due_notifications(now=later).sent == 0
    # After it, the relay is tried again; it works, and everything goes.
    after = timezone.now() + dt.timedelta(minutes=2)
    assert dispatch_due_notifications(now=after).sent == 9
    assert Circuit.objects.get(name="email").failures == 0


class TricklingEndpoint(SlowServer):
    """An agency's endpoint that reads the request and answers a byte at a time."""

    def __init__(self) -> None:
        super().__init__(reply=b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000)


@pytest.fixture
def trickling_endpoint(settings) -> Iterator[TricklingEndpoint]:
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    server = TricklingEndpoint()
    yield server
    server.close()


def test_an_endpoint_that_trickles_its_answer_costs_one_deadline_and_the_rest_go_on(
    world, short_deadline, trickling_endpoint
):
    slow = Webhook.objects.create(
        agency=world.agency_a,
        url=f"http://127.0.0.1:{trickling_endpoint.port}/hook",
        encrypted_secret=encrypt(new_secret()),
        created_at=timezone.now(),
    )
    for _ in range(3):
        acknowledge_referral(referral=submit(world.hv), actor=world.mash)
    result = dispatch_due_notifications()
    to_slow = Notification.objects.filter(webhook=slow)
    # One delivery to the slow endpoint, then it is skipped for the batch;
    # every email went.
    assert sorted(to_slow.values_list("attempts", flat=True)) == [0, 0, 1]
    assert to_slow.get(attempts=1).last_error == "No answer from the endpoint"
    assert result.sent == Notification.objects.filter(channel="email").count()
    assert trickling_endpoint.connections == 1


def test_an_endpoint_failing_for_a_day_is_switched_off_and_its_agency_told(world, settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.WEBHOOK_SWITCH_OFF_AFTER_HOURS = 24
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    hook = Webhook.objects.create(
        agency=world.agency_a,
        url=f"http://127.0.0.1:{port}/hook",
        encrypted_secret=encrypt(new_secret()),
        created_at=timezone.now(),
    )
    acknowledge_referral(referral=submit(world.hv), actor=world.mash)
    now = timezone.now()
    for hours in (0, 6, 12, 23):
        dispatch_due_notifications(channel="webhook", now=now + dt.timedelta(hours=hours))
    hook.refresh_from_db()
    assert hook.is_active
    dispatch_due_notifications(channel="webhook", now=now + dt.timedelta(hours=25))
    hook.refresh_from_db()
    assert not hook.is_active
    assert Notification.objects.get(webhook=hook).status == DeliveryStatus.FAILED
    told = Notification.objects.get(purpose="webhook_switched_off")
    assert told.to_address == world.lead_a.email
    assert hook.url in told.body


def test_a_backlog_is_drained_in_one_dispatch_batch_after_batch(world):
    for _ in range(4):
        submit(world.hv)  # twelve emails
    result = dispatch_due_notifications(limit=5)
    assert result.sent == 12 and not result.more_due


def test_a_dispatch_stops_at_its_time_budget_and_says_more_is_due(world):
    submit(world.hv)
    result = dispatch_due_notifications(budget_seconds=0)
    assert result.more_due and result.sent == 0
