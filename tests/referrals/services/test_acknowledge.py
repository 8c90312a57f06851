"""Acknowledging: a named front-door worker owns it, and the sender is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from notifications.models import Notification
from referrals.models import Status
from referrals.services.acknowledge import AlreadyAcknowledged, acknowledge_referral
from tests.conftest import submit


def test_a_practitioner_acknowledges_and_the_sender_is_told(world):
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED
    assert referral.acknowledged_by == world.mash
    assert referral.acknowledged_at is not None
    told = Notification.objects.get(referral=referral, purpose="acknowledged")
    assert told.to_address == world.hv.email
    assert "Maya Ashworth" in told.body


def test_acknowledging_is_recorded_in_history_and_on_the_timeline(world):
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    latest = referral.history.order_by("-history_date").first()
    assert latest.status == Status.ACKNOWLEDGED
    assert latest.history_user == world.mash
    assert [e.kind for e in referral.events.all()] == ["submitted", "acknowledged"]


def test_a_second_acknowledgement_is_refused_and_names_who_has_it(world):
    referral = submit(world.hv)
    acknowledge_referral(referral=referral, actor=world.mash)
    with pytest.raises(AlreadyAcknowledged) as caught:
        acknowledge_referral(referral=referral, actor=world.manager)
    assert caught.value.referral.acknowledged_by == world.mash
    assert Notification.objects.filter(referral=referral, purpose="acknowledged").count() == 1


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "senior", "admin", "outsider"])
def test_only_practitioners_and_managers_of_that_front_door_can_acknowledge(world, persona):
    referral = submit(world.hv)
    with pytest.raises(PermissionDenied):
        acknowledge_referral(referral=referral, actor=getattr(world, persona))
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
