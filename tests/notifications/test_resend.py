"""Messages given up on are never lost: a front door's administrator sends
them again, from a page or a command, each keeping its message id."""

from __future__ import annotations

from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import Action, AuditEvent
from notifications.dispatch import dispatch_due_notifications
from notifications.models import DeliveryStatus, Notification
from tests.conftest import client_for, submit


def failed_receipts(world, count: int = 1) -> list[Notification]:
    for _ in range(count):
        submit(world.hv)
    receipts = Notification.objects.filter(purpose="receipt")
    receipts.update(status=DeliveryStatus.FAILED, attempts=40, last_error="SMTPServerDisconnected")
    return list(receipts)


def test_an_administrator_sends_the_failed_messages_again_with_their_message_ids(world):
    first, second = failed_receipts(world, 2)
    page = client_for(world.admin).get("/front-door/undelivered-messages/").content.decode()
    assert "2 messages not delivered" in page and first.to_address in page
    response = client_for(world.admin).post(
        "/front-door/undelivered-messages/", {"which": "selected", "message": [str(first.pk)]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING and second.status == DeliveryStatus.FAILED
    assert first.retry_until is not None and first.retry_until > timezone.now()
    dispatch_due_notifications(channel="email")
    [sent] = [m for m in mail.outbox if m.to == [first.to_address]]
    assert sent.extra_headers["X-Front-Door-Message-Id"] == str(first.idempotency_key)
    assert AuditEvent.objects.filter(action=Action.MESSAGES_RESENT, actor=world.admin).exists()


def test_sending_all_again_takes_every_failed_message_of_the_front_door_only(world):
    failed_receipts(world, 2)
    client_for(world.admin).post("/front-door/undelivered-messages/", {"which": "all"})
    assert not Notification.objects.filter(status=DeliveryStatus.FAILED).exists()


def test_another_front_doors_administrator_cannot_resend_them(world):
    from agencies.models import Role
    from tests.conftest import make_user

    note = failed_receipts(world)[0]
    other_admin = make_user("admin.south", agency=world.other_front_door, role=Role.ADMINISTRATOR)
    page = client_for(other_admin).get("/front-door/undelivered-messages/").content.decode()
    assert note.to_address not in page
    client_for(other_admin).post("/front-door/undelivered-messages/", {"which": "all"})
    note.refresh_from_db()
    assert note.status == DeliveryStatus.FAILED


def test_choosing_nothing_says_so(world):
    failed_receipts(world)
    response = client_for(world.admin).post(
        "/front-door/undelivered-messages/", {"which": "selected"}, follow=True
    )
    assert "Select the messages to send again" in response.content.decode()
    assert Notification.objects.filter(status=DeliveryStatus.FAILED).count() == 1


def test_the_command_lists_and_sends_a_front_doors_failed_messages(world):
    note = failed_receipts(world)[0]
    out, err = StringIO(), StringIO()
    call_command(
        "resend_failed_messages",
        "--front-door",
        world.front_door.name,
        "--dry-run",
        stdout=out,
        stderr=err,
    )
    assert note.to_address in out.getvalue() and "nothing sent" in err.getvalue()
    note.refresh_from_db()
    assert note.status == DeliveryStatus.FAILED
    call_command(
        "resend_failed_messages", "--front-door", world.front_door.name, stdout=out, stderr=err
    )
    note.refresh_from_db()
    assert note.status == DeliveryStatus.PENDING
