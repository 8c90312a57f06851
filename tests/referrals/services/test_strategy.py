"""The strategy discussion: opened by the decision, its invitees, its record
and the conference that follows (referrals.services.strategy)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action, AuditEvent
from notifications.models import Notification
from referrals.models import StrategyDiscussion
from referrals.services.common import NotAllowedNow
from referrals.services.decision import decide_referral
from referrals.services.strategy import record_conference, record_strategy_discussion
from tests.conftest import WEDNESDAY_10AM, submit
from tests.referrals.test_pathways import injured_baby

NOON = WEDNESDAY_10AM + dt.timedelta(hours=2)
SCHOOL = {
    "agency_type": "school",
    "organisation": "Canal Row Primary",
    "practitioner": "Ms Ruth Dale",
    "phone": "01632 960 222",
    "email": "",
}
GP = {"agency_type": "gp", "organisation": "Riverside GP Practice", "practitioner": ""}


def decide_strategy(world, referral, *, now=NOON):
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="Reasonable cause to suspect significant harm.",
        next_steps="",
        next_steps_owner="",
        now=now,
    )
    return StrategyDiscussion.objects.get(referral=referral)


def invited(discussion):
    return [
        (p.kind, p.name, p.on_portal, p.contact)
        for p in discussion.participants.order_by("position")
    ]


def test_deciding_on_a_strategy_discussion_invites_police_gp_health_visitor_referrer_and_agencies(
    world, police
):
    referral = submit(world.hv, now=WEDNESDAY_10AM, other_agencies=[GP, SCHOOL])
    discussion = decide_strategy(world, referral)
    assert discussion.due_by == NOON + dt.timedelta(hours=24) and discussion.is_open
    assert invited(discussion) == [
        ("police", "Northbridge Police Public Protection Unit", True, ""),
        ("gp", "Riverside GP Practice", True, ""),
        ("health_visitor", "Northbridge Health Visiting", True, ""),
        ("referrer", "Hannah Vale, Northbridge Health Visiting", True, ""),
        ("agency", "Canal Row Primary", False, "Ms Ruth Dale, phone 01632 960 222"),
    ]
    # The GP practice's people are invited through the portal, by email with a link only.
    gp_invite = Notification.objects.get(
        referral=referral, purpose="strategy", to_address=world.gp.email
    )
    assert "/strategy-discussions/" in gp_invite.body and "Leo" not in gp_invite.body
    assert Notification.objects.filter(
        referral=referral, purpose="strategy", to_address=world.hv.email
    ).exists()
    assert referral.events.filter(kind="strategy_opened").count() == 1


def test_the_gp_is_always_on_the_list_even_when_nobody_recorded_one(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    discussion = decide_strategy(world, referral)
    gp = discussion.participants.get(kind="gp")
    assert not gp.on_portal
    assert gp.name == "The child's GP (not recorded on the referral)"


def test_the_childs_gp_named_on_the_child_is_matched_to_the_practice_on_the_portal(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM, child={"gp_practice": "riverside gp practice"})
    discussion = decide_strategy(world, referral)
    assert discussion.participants.get(kind="gp").agency == world.agency_b


def test_the_injured_baby_24_hour_deadline_stays(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    discussion = decide_strategy(world, referral, now=WEDNESDAY_10AM + dt.timedelta(hours=3))
    assert discussion.due_by == WEDNESDAY_10AM + dt.timedelta(hours=24)


def test_without_a_police_force_on_the_portal_the_inbox_is_listed(world):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    police_line = discussion.participants.get(kind="police")
    assert not police_line.on_portal and police_line.contact == "Email ppu@police.example"


def record(world, discussion, **changes):
    arguments = {
        "discussion": discussion,
        "actor": world.mash,
        "held_at": NOON + dt.timedelta(hours=20),
        "took_part": [p.pk for p in discussion.participants.all()[:3]],
        "outcome": "section_47",
        "next_steps": "Joint visit by police and social worker today.",
        "conference_follows": True,
        "conference_date": None,
        "now": NOON + dt.timedelta(hours=21),
        **changes,
    }
    return record_strategy_discussion(**arguments)


def test_recording_what_happened_stops_its_clock_and_starts_the_conferences(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM, other_agencies=[GP]))
    record(world, discussion)
    discussion.refresh_from_db()
    assert not discussion.is_open and discussion.outcome == "section_47"
    assert discussion.held_at == NOON + dt.timedelta(hours=20)
    # Held Thursday 26 November: 15 working days later is Thursday 17 December.
    assert discussion.conference_open
    assert discussion.conference_due_by == dt.datetime(2026, 12, 17, 17, 0, tzinfo=dt.UTC)
    took = list(discussion.participants.order_by("position").values_list("took_part", flat=True))
    assert took == [True, True, True, False]
    event = discussion.referral.events.get(kind="strategy_held")
    assert "Section 47 enquiry" in event.summary and "Riverside GP Practice" in event.summary
    assert AuditEvent.objects.filter(
        action=Action.STRATEGY_RECORDED, object_ref=discussion.referral.reference
    ).exists()
    # Everyone invited on the portal hears the outcome is recorded: police too.
    told = set(
        Notification.objects.filter(
            purpose="strategy", subject__contains="outcome is recorded"
        ).values_list("to_address", flat=True)
    )
    assert {world.hv.email, world.gp.email, police.officer.email} <= told


def test_a_discussion_is_recorded_once(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    record(world, discussion)
    with pytest.raises(NotAllowedNow):
        record(world, StrategyDiscussion.objects.get(pk=discussion.pk), outcome="assessment")


def test_a_discussion_cannot_be_recorded_as_held_in_the_future(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    with pytest.raises(ValidationError) as error:
        record(world, discussion, held_at=NOON + dt.timedelta(hours=22))
    assert "today or in the past" in error.value.message_dict["held_on"][0]
    with pytest.raises(ValidationError) as error:
        record(world, discussion, outcome="")
    assert error.value.message_dict == {"outcome": ["Select the outcome"]}
    assert StrategyDiscussion.objects.get(pk=discussion.pk).is_open


def test_a_conference_date_needs_a_conference(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    with pytest.raises(ValidationError) as error:
        record(world, discussion, conference_follows=False, conference_date=dt.date(2026, 12, 1))
    assert "conference_date" in error.value.message_dict


def test_no_conference_no_conference_clock(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    record(world, discussion, outcome="no_further_section_47", conference_follows=False)
    discussion.refresh_from_db()
    assert not discussion.conference_open and discussion.conference_due_by is None


@pytest.mark.parametrize("who", ["hv", "gp", "lead_a", "outsider"])
def test_only_the_front_door_records_the_discussion(world, police, who):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    with pytest.raises(PermissionDenied):
        record(world, discussion, actor=getattr(world, who))
    with pytest.raises(PermissionDenied):
        record(world, discussion, actor=police.officer)


def test_recording_the_conference_stops_its_clock(world, police):
    discussion = decide_strategy(world, submit(world.hv, now=WEDNESDAY_10AM))
    record(world, discussion)
    discussion.refresh_from_db()
    with pytest.raises(ValidationError):
        record_conference(
            discussion=discussion,
            actor=world.mash,
            held_on=dt.date(2026, 11, 20),
            now=dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC),
        )
    record_conference(
        discussion=discussion,
        actor=world.mash,
        held_on=dt.date(2026, 12, 9),
        now=dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC),
    )
    discussion.refresh_from_db()
    assert not discussion.conference_open
    assert discussion.conference_held_on == dt.date(2026, 12, 9)
    with pytest.raises(NotAllowedNow):
        record_conference(
            discussion=discussion,
            actor=world.mash,
            held_on=dt.date(2026, 12, 9),
            now=dt.datetime(2026, 12, 11, 12, 0, tzinfo=dt.UTC),
        )
