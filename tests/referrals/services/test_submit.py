"""Submitting a referral: stored first, receipted, deadlines set, sender and front door told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from notifications.models import Notification
from referrals.models import Draft, Referral, Status
from referrals.references import normalise_reference
from referrals.services.submit import DraftAlreadySent, submit_referral
from tests.conftest import WEDNESDAY_10AM, a_document, submit


def test_a_referral_gets_a_checked_reference_and_deadlines(world):
    referral = submit(world.hv)
    assert normalise_reference(referral.reference) == referral.reference
    assert referral.status == Status.SUBMITTED
    assert referral.front_door == world.front_door
    assert referral.sending_agency == world.agency_a
    assert referral.received_at < referral.acknowledge_by <= referral.decide_by


def test_a_referral_is_stored_with_its_history_timeline_and_audit(world):
    referral = submit(world.hv)
    assert referral.history.count() == 1
    assert [e.kind for e in referral.events.all()] == ["submitted"]
    assert AuditEvent.objects.filter(object_ref=referral.reference, action="created").count() == 1


def test_the_sender_gets_a_receipt_and_the_front_door_an_alert_through_the_outbox(world):
    world.front_door.alert_email = "mash-inbox@example.test"
    world.front_door.save()
    referral = submit(world.hv)
    outbox = {(n.purpose, n.to_address) for n in Notification.objects.filter(referral=referral)}
    assert outbox == {("receipt", world.hv.email), ("arrival", "mash-inbox@example.test")}


def test_without_a_shared_inbox_the_front_door_practitioners_and_managers_are_alerted(world):
    referral = submit(world.hv)
    arrival = Notification.objects.filter(referral=referral, purpose="arrival")
    assert {n.to_address for n in arrival} == {world.mash.email, world.manager.email}


def test_emails_carry_the_reference_but_never_the_childs_name_or_the_concern(world):
    referral = submit(
        world.hv,
        child={"first_name": "Zebedee"},
        concern={"what_happened": "Bruising on the back seen at bath time"},
    )
    for note in Notification.objects.filter(referral=referral):
        assert referral.reference in note.body
        assert "Zebedee" not in note.body + note.subject
        assert "Bruising" not in note.body


def test_front_door_staff_cannot_send_referrals_to_themselves(world):
    with pytest.raises(PermissionDenied):
        submit(world.mash)
    assert Referral.objects.count() == 0


def test_references_are_unique_across_many_submissions(world):
    references = {submit(world.gp).reference for _ in range(30)}
    assert len(references) == 30


def test_a_referral_sent_on_saturday_is_due_on_monday(world):
    saturday = dt.datetime(2026, 11, 28, 11, 0, tzinfo=dt.UTC)
    referral = submit(world.hv, now=saturday)
    assert referral.acknowledge_by == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def test_a_draft_sent_twice_becomes_one_referral(world):
    from tests.conftest import content_of

    draft = Draft.objects.create(
        author=world.hv, data=a_document(), created_at=WEDNESDAY_10AM, updated_at=WEDNESDAY_10AM
    )
    submit_referral(sender=world.hv, content=content_of(a_document()), draft=draft)
    with pytest.raises(DraftAlreadySent):
        submit_referral(sender=world.hv, content=content_of(a_document()), draft=draft)
    assert Referral.objects.count() == 1
