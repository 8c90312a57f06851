"""Transferring a referral between front doors: the reference and history go
with it, the receiving front door's clocks start at the transfer, the sending
front door sees only what it sent and can no longer act, and the referrer is
told. To an authority elsewhere: recorded, and escalated until confirmed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from agencies.models import Role
from audit.models import Action, AuditEvent
from notifications.models import Notification
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import (
    DeadlinePolicy,
    Escalation,
    EscalationRule,
    Referral,
    ReferralClock,
    Status,
    Transfer,
    TransferMethod,
)
from referrals.selectors.access import (
    get_referral_for_user,
    permissions_for,
    referrals_visible_to,
)
from referrals.selectors.timeline import timeline
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.common import NotAllowedNow
from referrals.services.transfer import confirm_transfer_received, transfer_referral
from tests.conftest import make_user, submit

# Received Wednesday 10:00; Northbridge must acknowledge by 17:00 that day.
RECEIVED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
# Transferred on Thursday at 10:00, after Northbridge's deadline was missed.
TRANSFERRED = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
THURSDAY_5PM = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)
FRIDAY_5PM = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)
# Past every senior step of both front doors (Southport's: Monday 11:00).
MONDAY_NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def south(world):
    DeadlinePolicy.objects.create(front_door=world.other_front_door)
    return {
        "mash": world.outsider,  # a practitioner at Southport
        "manager": make_user("manager.south", agency=world.other_front_door, role=Role.MANAGER),
    }


def moved(world, *, now=TRANSFERRED) -> Referral:
    referral = submit(world.hv, now=RECEIVED)
    transfer_referral(
        referral=referral,
        actor=world.mash,
        to_front_door=world.other_front_door,
        reason="The family moved to Southport on 20 November.",
        now=now,
    )
    referral.refresh_from_db()
    return referral


def test_the_referral_moves_with_its_reference_and_history(world, south):
    referral = submit(world.hv, now=RECEIVED)
    reference = referral.reference
    transfer_referral(
        referral=referral,
        actor=world.mash,
        to_front_door=world.other_front_door,
        reason="The family moved to Southport on 20 November.",
        now=TRANSFERRED,
    )
    referral.refresh_from_db()
    assert (referral.reference, referral.front_door) == (reference, world.other_front_door)
    assert referral.received_at == RECEIVED  # when the referrer sent it does not change
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds[0] == "submitted" and "transferred" in kinds
    assert referral.history.first().history_change_reason == "Transferred to Southport Front Door"
    assert AuditEvent.objects.filter(action=Action.TRANSFERRED, object_ref=reference).count() == 1


def test_the_receiving_front_doors_deadlines_start_at_the_transfer(world, south):
    referral = moved(world)
    assert referral.status == Status.SUBMITTED
    assert referral.acknowledge_by == THURSDAY_5PM
    assert referral.decide_by == FRIDAY_5PM
    clock = ReferralClock.objects.get(pk=referral.pk)
    assert (clock.acknowledge_by, clock.decide_by) == (THURSDAY_5PM, FRIDAY_5PM)
    assert (clock.escalation_level, clock.decision_escalation_level) == (0, 0)


def test_an_acknowledged_and_assigned_referral_starts_again_unacknowledged_at_the_new_door(
    world, south
):
    referral = submit(world.hv, now=RECEIVED)
    acknowledge_referral(referral=referral, actor=world.mash, now=RECEIVED)
    transfer_referral(
        referral=referral,
        actor=world.mash,
        to_front_door=world.other_front_door,
        reason="Wrong area.",
        now=TRANSFERRED,
    )
    referral.refresh_from_db()
    assert (referral.status, referral.acknowledged_by, referral.assigned_to) == (
        Status.SUBMITTED,
        None,
        None,
    )
    assert ReferralClock.objects.get(pk=referral.pk).acknowledge_open


def test_the_receiving_front_door_gets_a_receipt_and_the_referrer_is_told(world, south):
    referral = moved(world)
    to_south = Notification.objects.filter(purpose="transfer", to_address=south["manager"].email)
    assert to_south.count() == 1
    assert "transferred to you" in to_south.get().subject
    assert "5:00pm on Thursday 26 November 2026" in to_south.get().body
    to_hv = Notification.objects.get(purpose="transfer", to_address=world.hv.email)
    assert "Southport Front Door" in to_hv.body and referral.reference in to_hv.body
    # The reason is the front doors' business; the referrer is told where, not why.
    assert "moved to Southport" not in to_hv.body


def test_the_sending_front_door_sees_what_it_sent_and_can_no_longer_act(world, south):
    referral = moved(world)
    acknowledge_referral(
        referral=referral, actor=south["mash"], now=TRANSFERRED + dt.timedelta(hours=1)
    )
    seen = get_referral_for_user(world.mash, referral.reference)
    may = permissions_for(world.mash, seen)
    assert not may.can_act and not may.front_door_staff
    assert may.sent_away_at == TRANSFERRED
    kinds = [item.kind for item in timeline(seen, viewer=world.mash)]
    assert "transferred" in kinds and "acknowledged" not in kinds
    with pytest.raises(PermissionDenied):
        acknowledge_referral(referral=seen, actor=world.manager)
    with pytest.raises(PermissionDenied):
        transfer_referral(
            referral=seen, actor=world.mash, to_front_door=world.front_door, reason="Back."
        )


def test_the_old_front_doors_queue_no_longer_lists_it_and_the_new_ones_does(world, south):
    referral = moved(world)
    assert referral not in referrals_visible_to(world.mash, front_door_only=True)
    assert referral in referrals_visible_to(south["mash"], front_door_only=True)
    # Their other referrals stay theirs: a transfer moves one referral only.
    other = submit(world.hv, now=RECEIVED)
    assert other in referrals_visible_to(world.mash, front_door_only=True)
    assert other not in referrals_visible_to(south["mash"])


def test_a_third_front_door_never_sees_it(world, south):
    from agencies.models import Agency, AgencyKind

    third = Agency.objects.create(name="Westmoor Front Door", kind=AgencyKind.FRONT_DOOR)
    stranger = make_user("west.sw", agency=third, role=Role.PRACTITIONER)
    referral = moved(world)
    with pytest.raises(Http404):
        get_referral_for_user(stranger, referral.reference)


def test_the_receiving_front_door_sees_the_whole_history_including_before_the_transfer(
    world, south
):
    referral = moved(world)
    items = timeline(referral, viewer=south["mash"])
    assert [i.kind for i in items][:1] == ["submitted"]
    assert any("moved to Southport" in i.summary for i in items)


def test_only_the_front_door_that_holds_it_may_transfer_it_and_only_once(world, south):
    referral = submit(world.hv, now=RECEIVED)
    with pytest.raises(PermissionDenied):
        transfer_referral(
            referral=referral, actor=world.hv, to_front_door=world.other_front_door, reason="x"
        )
    with pytest.raises(PermissionDenied):
        transfer_referral(
            referral=referral,
            actor=south["mash"],
            to_front_door=world.other_front_door,
            reason="x",
        )
    with pytest.raises(ValidationError, match="already at this front door"):
        transfer_referral(
            referral=referral, actor=world.mash, to_front_door=world.front_door, reason="x"
        )
    stale = Referral.objects.get(pk=referral.pk)
    transfer_referral(
        referral=referral, actor=world.mash, to_front_door=world.other_front_door, reason="x"
    )
    # A second press with the page as it was: refused, not transferred twice.
    with pytest.raises((NotAllowedNow, PermissionDenied)):
        transfer_referral(
            referral=stale, actor=world.mash, to_front_door=world.other_front_door, reason="x"
        )
    assert Transfer.objects.count() == 1


def test_escalations_before_the_transfer_stay_and_the_new_front_door_escalates_afresh(world, south):
    referral = submit(world.hv, now=RECEIVED)
    # Northbridge missed its deadline: its managers were told, once.
    escalate_overdue_referrals(now=RECEIVED + dt.timedelta(hours=7, minutes=1))
    assert Escalation.objects.filter(referral=referral).count() == 1
    transfer_referral(
        referral=referral,
        actor=world.mash,
        to_front_door=world.other_front_door,
        reason="x",
        now=TRANSFERRED,
    )
    # Before Southport's deadline, nothing more; sweeping again repeats nothing.
    escalate_overdue_referrals(now=THURSDAY_5PM - dt.timedelta(minutes=1))
    assert Escalation.objects.filter(referral=referral).count() == 1
    escalate_overdue_referrals(now=THURSDAY_5PM + dt.timedelta(minutes=1))
    escalate_overdue_referrals(now=THURSDAY_5PM + dt.timedelta(minutes=2))
    rows = list(
        Escalation.objects.filter(referral=referral, rule=EscalationRule.NOT_ACKNOWLEDGED)
        .order_by("escalated_at")
        .values_list("subject_id", "level")
    )
    assert rows == [(0, 1), (1, 1)]
    summaries = Notification.objects.filter(purpose="escalation")
    assert summaries.filter(to_address=world.manager.email).count() == 1
    assert summaries.filter(to_address=south["manager"].email).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_after_a_transfer_escalate_each_level_once_to_the_right_door(
    world, south
):
    referrals = [submit(world.hv, now=RECEIVED + dt.timedelta(seconds=i)) for i in range(12)]
    for referral in referrals[:6]:
        transfer_referral(
            referral=referral,
            actor=world.mash,
            to_front_door=world.other_front_door,
            reason="x",
            now=TRANSFERRED,
        )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            escalate_overdue_referrals(now=MONDAY_NOON, batch_size=2)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for referral in referrals:
        assert list(
            Escalation.objects.filter(referral=referral)
            .order_by("rule", "level")
            .values_list("rule", "level")
        ) == [
            ("not_acknowledged", 1),
            ("not_acknowledged", 2),
            ("not_decided", 1),
            ("not_decided", 2),
        ]
    moved_refs = {r.reference for r in referrals[:6]}
    south_bodies = "".join(
        Notification.objects.filter(
            purpose="escalation", to_address=south["manager"].email
        ).values_list("body", flat=True)
    )
    north_bodies = "".join(
        Notification.objects.filter(
            purpose="escalation", to_address=world.manager.email
        ).values_list("body", flat=True)
    )
    for reference in moved_refs:
        assert reference in south_bodies and reference not in north_bodies
    for referral in referrals[6:]:
        assert referral.reference in north_bodies and referral.reference not in south_bodies


def test_a_transfer_elsewhere_records_how_when_and_to_whom_and_stops_the_clocks(world, south):
    referral = submit(world.hv, now=RECEIVED)
    transfer = transfer_referral(
        referral=referral,
        actor=world.mash,
        to_authority="Eastshire County Council",
        method=TransferMethod.SECURE_EMAIL,
        sent_to="Eastshire MASH, mash@eastshire.example",
        reason="The family moved to Eastshire.",
        now=TRANSFERRED,
    )
    referral.refresh_from_db()
    assert referral.status == Status.TRANSFERRED
    assert referral.front_door == world.front_door
    assert referral.acknowledged_by == world.mash  # it was in hand when sent on
    assert (transfer.method, transfer.sent_to, transfer.transferred_at) == (
        TransferMethod.SECURE_EMAIL,
        "Eastshire MASH, mash@eastshire.example",
        TRANSFERRED,
    )
    assert transfer.confirm_by == FRIDAY_5PM
    clock = ReferralClock.objects.get(pk=referral.pk)
    assert not clock.acknowledge_open and not clock.decide_open
    assert (
        "Eastshire County Council"
        in Notification.objects.get(purpose="transfer", to_address=world.hv.email).body
    )


def test_a_transfer_elsewhere_needs_who_and_how(world):
    referral = submit(world.hv, now=RECEIVED)
    with pytest.raises(ValidationError, match="which local authority"):
        transfer_referral(
            referral=referral, actor=world.mash, to_authority="Eastshire", reason="Moved."
        )


def test_an_unconfirmed_transfer_escalates_once_per_level_and_confirmation_stops_it(world):
    referral = submit(world.hv, now=RECEIVED)
    transfer = transfer_referral(
        referral=referral,
        actor=world.mash,
        to_authority="Eastshire County Council",
        method=TransferMethod.PHONE_AND_EMAIL,
        sent_to="Eastshire duty desk",
        reason="Moved.",
        now=TRANSFERRED,
    )
    escalate_overdue_referrals(now=FRIDAY_5PM - dt.timedelta(minutes=1))
    assert not Escalation.objects.filter(rule=EscalationRule.TRANSFER_UNCONFIRMED).exists()
    for _ in range(2):
        escalate_overdue_referrals(now=FRIDAY_5PM + dt.timedelta(minutes=1))
    level_one = Escalation.objects.get(rule=EscalationRule.TRANSFER_UNCONFIRMED)
    assert (level_one.level, level_one.subject_id) == (1, transfer.pk)
    assert (
        "transfer"
        in Notification.objects.get(
            purpose="escalation", to_address=world.manager.email
        ).subject.lower()
    )
    confirm_transfer_received(
        transfer=transfer,
        actor=world.mash,
        confirmation="J. Patel, Eastshire duty manager, by email",
        now=FRIDAY_5PM + dt.timedelta(hours=1),
    )
    escalate_overdue_referrals(now=FRIDAY_5PM + dt.timedelta(days=5))
    assert Escalation.objects.filter(rule=EscalationRule.TRANSFER_UNCONFIRMED).count() == 1
    with pytest.raises(NotAllowedNow):
        confirm_transfer_received(transfer=transfer, actor=world.mash, confirmation="again")
    assert "J. Patel" in referral.events.get(kind="transfer_confirmed").summary


def test_an_urgent_transfer_tells_the_receiving_managers_and_police_at_once(world, south):
    world.other_front_door.police_alert_email = "police@southport.example"
    world.other_front_door.save(update_fields=["police_alert_email"])
    referral = submit(
        world.hv,
        now=RECEIVED,
        child={"date_of_birth": "2026-09-01"},
        concern={"categories": ["non_mobile_injury"]},
    )
    assert referral.non_mobile_injury
    transfer_referral(
        referral=referral,
        actor=world.mash,
        to_front_door=world.other_front_door,
        reason="x",
        now=RECEIVED + dt.timedelta(minutes=20),
    )
    referral.refresh_from_db()
    # Urgent: the new clock runs from the transfer, not the office day.
    assert referral.acknowledge_by == RECEIVED + dt.timedelta(minutes=80)
    assert Notification.objects.filter(
        purpose="urgent_alert", to_address=south["manager"].email
    ).exists()
    assert Notification.objects.filter(
        purpose="police", to_address="police@southport.example"
    ).exists()
    notified = referral.events.filter(kind="police_notified").values_list("summary", flat=True)
    assert any("police@southport.example" in summary for summary in notified)
