"""Signed status webhooks to an agency system, delivered through the outbox."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import Webhook
from agencies.webhooks import check_url, new_secret
from core.secrets import encrypt
from notifications.dispatch import dispatch_due_notifications
from notifications.models import DeliveryStatus, Notification
from notifications.webhooks import SIGNATURE_HEADER, sign, verify
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.decision import decide_referral
from referrals.services.triage import request_information
from tests.conftest import client_for, submit, token_for


class Receiver:
    """A real HTTP server on this machine that records what it is sent."""

    def __init__(self, status: int = 200, location: str = "") -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.location = location
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.status = status
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/front-door"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def local_endpoints(settings):
    """These tests deliver to endpoints on this machine over plain http,
    which only local testing allows (it is off by default)."""
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def hook_for(world, url: str, events: list[str] | None = None) -> Webhook:
    return Webhook.objects.create(
        agency=world.agency_a,
        url=url,
        encrypted_secret=encrypt(new_secret()),
        events=events or [],
        created_at=timezone.now(),
    )


def test_an_acknowledgement_reaches_the_agency_system_signed(world, receiver):
    hook = hook_for(world, receiver.url)
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    dispatch_due_notifications()
    [(headers, body)] = receiver.requests
    payload = json.loads(body)
    assert (
        payload["event"] == "referral.acknowledged" and payload["reference"] == referral.reference
    )
    assert "Leo" not in body.decode() and "Marsh" not in body.decode()  # no personal data
    assert verify(hook.secret, headers[SIGNATURE_HEADER], body)
    assert not verify("another-secret", headers[SIGNATURE_HEADER], body)
    assert not verify(hook.secret, headers[SIGNATURE_HEADER], body + b" ")
    assert Notification.objects.get(webhook=hook).status == DeliveryStatus.SENT


def test_decisions_questions_and_escalations_are_sent_too(world, receiver):
    hook_for(world, receiver.url)
    # Ten days back, so every deadline and its senior step has passed
    # whatever the day and time the test runs (four days could end before
    # the decision's senior step, which runs on working hours).
    referral = submit(world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    escalate_overdue_referrals()
    request_information(referral=referral, actor=world.mash, question="Q?")
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="r",
        next_steps="",
        next_steps_owner="",
    )
    dispatch_due_notifications()
    events = [json.loads(body)["event"] for _, body in receiver.requests]
    assert events.count("referral.escalated") == 4
    assert "referral.information_requested" in events and "referral.decided" in events


def test_an_agency_can_choose_its_events(world, receiver):
    hook_for(world, receiver.url, events=["referral.decided"])
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="nfa",
        reasons="r",
        next_steps="",
        next_steps_owner="",
    )
    dispatch_due_notifications()
    assert [json.loads(body)["event"] for _, body in receiver.requests] == ["referral.decided"]


def test_other_agencies_webhooks_hear_nothing(world, receiver):
    Webhook.objects.create(
        agency=world.agency_b,
        url=receiver.url,
        encrypted_secret=encrypt(new_secret()),
        created_at=timezone.now(),
    )
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    dispatch_due_notifications()
    assert receiver.requests == []


def test_a_failing_endpoint_is_retried_with_back_off_and_loses_nothing(world):
    failing = Receiver(status=500)
    try:
        hook = hook_for(world, failing.url)
        referral = submit(world.hv)
        acknowledge_referral(referral=referral, actor=world.mash)
        dispatch_due_notifications()
        delivery = Notification.objects.get(webhook=hook)
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert "500" in delivery.last_error and delivery.next_attempt_at > timezone.now()
        referral.refresh_from_db()
        assert referral.status == "acknowledged"  # the portal is the record
        failing.status = 200
        dispatch_due_notifications(now=timezone.now() + dt.timedelta(minutes=2))
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT and len(failing.requests) == 2
    finally:
        failing.close()


def test_signatures_expire_after_the_replay_window():
    body = b'{"event":"referral.acknowledged"}'
    header = sign("s3cret", body, int(time.time()) - 301)
    assert not verify("s3cret", header, body)
    assert verify("s3cret", sign("s3cret", body, int(time.time())), body)
    assert not verify("s3cret", "nonsense", body)


@pytest.mark.parametrize(
    "url", ["http://example.org/hook", "ftp://127.0.0.1/x", "http://10.0.0.1/x"]
)
def test_webhooks_must_use_https_except_to_this_machine(url):
    with pytest.raises(ValidationError):
        check_url(url)
    check_url("https://ehr.example.org/front-door")
    check_url("http://127.0.0.1:9000/hook")


def test_the_agency_lead_sees_delivery_history_and_others_do_not(world, receiver):
    hook_for(world, receiver.url)
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    dispatch_due_notifications()
    page = client_for(world.lead_a).get("/agency/status-messages/").content.decode()
    assert referral.reference in page and "Delivered" in page
    assert client_for(world.hv).get("/agency/status-messages/").status_code == 403
    assert client_for(world.gp).get("/agency/status-messages/").status_code == 403


def test_an_agency_system_registers_its_own_endpoint_through_the_api(world, receiver):
    from rest_framework.test import APIClient

    from agencies.api_keys import issue_api_key

    _, key = issue_api_key(agency=world.agency_a, name="SystmOne", actor=world.admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    created = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["referral.acknowledged"]},
        format="json",
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert "secret" not in api.get("/api/v1/webhooks/").json()["results"][0]
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    dispatch_due_notifications()
    [(headers, body)] = receiver.requests
    assert verify(secret, headers[SIGNATURE_HEADER], body)
    assert api.delete(f"/api/v1/webhooks/{created.json()['id']}/").status_code == 204
    assert api.get("/api/v1/webhooks/").json()["results"] == []


def test_webhook_registration_is_checked_and_limited_to_the_agency(world):
    from rest_framework.test import APIClient

    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.lead_a)}")
    response = bad.post("/api/v1/webhooks/", {"url": "http://example.org/x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["fields"]
    referrer = APIClient()
    referrer.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.hv)}")
    assert (
        referrer.post("/api/v1/webhooks/", {"url": "https://x.example/"}, format="json").status_code
        == 403
    )
    other = Webhook.objects.create(
        agency=world.agency_b,
        url="https://b.example/",
        encrypted_secret=encrypt("s"),
        created_at=timezone.now(),
    )
    assert bad.delete(f"/api/v1/webhooks/{other.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/hook",
    ],
)
def test_webhooks_cannot_be_registered_on_a_private_network(url):
    with pytest.raises(ValidationError, match="private network"):
        check_url(url)


def test_a_name_that_resolves_to_a_private_address_is_not_delivered_to():
    from notifications.webhooks import DeliveryRefused, checked_address

    # "localhost" resolves to loopback: refused over https, where only the
    # loopback-for-testing allowance for plain http applies.
    with pytest.raises(DeliveryRefused, match="not a public one"):
        checked_address("https://localhost/hook")
    assert checked_address("http://127.0.0.1:9000/hook") == ("127.0.0.1", 9000)


def test_plain_http_to_this_machine_is_refused_unless_local_testing_switches_it_on(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError):
        check_url("http://127.0.0.1:6379/")
    with pytest.raises(ValidationError):
        check_url("http://localhost:5432/")


@pytest.mark.parametrize(
    "url",
    [
        "https://ehr.example.org:6379/hook",
        "https://ehr.example.org:8443/hook",
        "https://user:secret@ehr.example.org/hook",
    ],
)
def test_an_endpoint_must_use_the_standard_port_and_no_user_name(url):
    with pytest.raises(ValidationError):
        check_url(url)
    check_url("https://ehr.example.org:443/hook")


@pytest.mark.parametrize(
    "url",
    [
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
        "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "https://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
        "https://[::ffff:169.254.169.254]/latest/meta-data",
    ],
)
def test_a_private_ipv4_address_in_ipv6_clothing_is_judged_as_ipv4(url):
    with pytest.raises(ValidationError, match="private network"):
        check_url(url)


def test_an_agency_is_shown_the_same_words_whether_a_port_is_open_or_closed(world):
    """Delivery errors the agency sees say only that no answer came: they
    must not let an agency map ports on someone's network."""
    import socket

    from notifications.webhooks import deliver, webhook_notifications

    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    listening = socket.create_server(("127.0.0.1", 0))  # accepts, then is closed on us
    errors = []
    try:
        for port in (closed_port, listening.getsockname()[1]):
            hook = hook_for(world, f"http://127.0.0.1:{port}/hook")
            note = webhook_notifications(
                referral=submit(world.hv),
                event="referral.acknowledged",
                now=timezone.now(),
                hooks=[hook],
            )[0]
            note.save()
            if port != closed_port:
                threading.Timer(0.2, listening.close).start()
            with pytest.raises(OSError) as failure:
                deliver(note)
            errors.append(str(failure.value))
    finally:
        listening.close()
    assert errors == ["No answer from the endpoint", "No answer from the endpoint"]


def test_an_agency_may_register_only_a_few_endpoints(world, receiver):
    from agencies.webhooks import MAX_WEBHOOKS_PER_AGENCY, register_webhook

    for _ in range(MAX_WEBHOOKS_PER_AGENCY):
        register_webhook(agency=world.agency_a, url=receiver.url, events=[], actor=world.lead_a)
    with pytest.raises(ValidationError, match="at most"):
        register_webhook(agency=world.agency_a, url=receiver.url, events=[], actor=world.lead_a)
    assert Webhook.objects.filter(agency=world.agency_a).count() == MAX_WEBHOOKS_PER_AGENCY


def test_a_redirect_from_an_endpoint_is_not_followed(world, receiver):
    """An endpoint answering 302 to an internal address must not make our
    worker fetch that address: the delivery fails instead."""
    from notifications.webhooks import deliver, webhook_notifications

    redirecting = Receiver(status=302, location=receiver.url)
    try:
        hook = hook_for(world, redirecting.url)
        note = webhook_notifications(
            referral=submit(world.hv),
            event="referral.acknowledged",
            now=timezone.now(),
            hooks=[hook],
        )[0]
        note.save()
        with pytest.raises(OSError, match="HTTP 302"):
            deliver(note)
        assert len(redirecting.requests) == 1 and receiver.requests == []
    finally:
        redirecting.close()


def test_the_message_id_is_inside_the_signed_body(world, receiver):
    hook = hook_for(world, receiver.url)
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    dispatch_due_notifications()
    [(headers, body)] = receiver.requests
    assert json.loads(body)["id"] == headers["X-Front-Door-Message-Id"]
    assert verify(hook.secret, headers[SIGNATURE_HEADER], body)


def test_a_signing_secret_is_not_kept_in_plain_text(world):
    from django.db import connection

    hook = hook_for(world, "https://ehr.example.org/hook")
    secret = hook.secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM agencies_webhook WHERE id = %s", [hook.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("fernet:")
    assert Webhook.objects.get(pk=hook.pk).secret == secret
