"""Recording a contact the front door received by phone, email, letter or in
person: receipted, deadlines from when it came in, the portal's pathways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from referrals.content import validate_content
from referrals.models import Decision, Kind, Referral, Status, Urgency
from referrals.selectors.access import get_referral_for_user
from referrals.services.contacts import record_contact
from tests.referrals.contact_documents import a_contact_document


def content(**overrides):
    found, problems = validate_content(a_contact_document(**overrides), contact=True)
    assert found is not None, [(p.path, p.message) for p in problems]
    return found


def problems_of(**overrides):
    found, problems = validate_content(a_contact_document(**overrides), contact=True)
    assert found is None
    return {p.path: p.message for p in problems}


def minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def test_a_phone_call_about_a_bruised_baby_runs_on_the_injured_baby_pathway_from_the_call(world):
    world.front_door.police_alert_email = "ppu@police.example.test"
    world.front_door.save()
    called = minute(timezone.now() - dt.timedelta(minutes=10))
    baby_born = (timezone.localdate() - dt.timedelta(days=70)).isoformat()
    referral = record_contact(
        recorder=world.mash,
        content=content(
            received_at=called,
            child={"date_of_birth": baby_born},
            concern={"categories": ["physical_abuse"], "what_happened": "Bruise on the cheek."},
        ),
    )
    assert referral.kind == Kind.CONTACT
    assert referral.channel == "phone"
    assert referral.received_at == called
    assert referral.recorded_at is not None
    assert referral.recorded_at > called
    assert referral.non_mobile_injury
    assert referral.urgency == Urgency.URGENT
    # Urgent deadlines run on the clock from the call, not from the typing.
    assert referral.acknowledge_by == called + dt.timedelta(hours=1)
    assert referral.strategy_discussion_by == called + dt.timedelta(hours=24)
    assert referral.police_notified_at == called
    purposes = set(
        Notification.objects.filter(referral=referral).values_list("purpose", "to_address")
    )
    assert ("police", "ppu@police.example.test") in purposes
    assert ("urgent_alert", world.manager.email) in purposes


def test_the_caller_gets_a_receipt_naming_no_child_and_the_recorder_none(world):
    world.front_door.alert_email = "mash@northbridge.example.test"
    world.front_door.save()
    referral = record_contact(recorder=world.mash, content=content())
    notes = list(Notification.objects.filter(referral=referral, purpose="receipt"))
    assert [n.to_address for n in notes] == ["rosa.okafor@hilltop.example.test"]
    body = notes[0].body
    assert referral.reference in body and "mash@northbridge.example.test" in body
    assert "Leo" not in body and "Marsh" not in body and "burn" not in body
    # The front door recorded it: no "new referral" alert to itself.
    assert not Notification.objects.filter(referral=referral, purpose="arrival").exists()


def test_no_receipt_without_an_email_address_and_never_to_an_anonymous_caller(world):
    quiet = record_contact(recorder=world.mash, content=content(contact={"source_email": ""}))
    anonymous = record_contact(
        recorder=world.mash,
        content=content(contact={"source_type": "anonymous", "source_email": "a@example.test"}),
    )
    assert not Notification.objects.filter(referral__in=[quiet, anonymous], purpose="receipt")
    assert anonymous.census_source == "9"
    assert anonymous.source_email == ""


def test_the_census_source_and_who_it_came_from_are_kept(world):
    referral = record_contact(recorder=world.mash, content=content())
    assert referral.census_source == "3A"
    assert (referral.source_name, referral.source_organisation) == (
        "Dr Rosa Okafor",
        "Hilltop Surgery",
    )
    assert referral.sending_agency == world.front_door
    assert referral.sender == world.mash


def test_a_contact_closed_as_information_only_is_decided_and_stops_its_clocks(world):
    referral = record_contact(
        recorder=world.mash,
        content=content(),
        close_as_information_only=True,
        closing_reasons="GP sharing information only; family known and supported.",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert referral.decision == Decision.INFORMATION_ONLY
    assert referral.acknowledged_by == world.mash
    assert not referral.clock.acknowledge_open and not referral.clock.decide_open
    assert [e.kind for e in referral.events.all()][-1] == "closed_as_information"


def test_closing_as_information_only_needs_a_reason(world):
    with pytest.raises(ValueError):
        record_contact(recorder=world.mash, content=content(), close_as_information_only=True)
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["hv", "lead_a", "senior", "admin"])
def test_only_front_door_practitioners_and_managers_record_contacts(world, persona):
    with pytest.raises(PermissionDenied):
        record_contact(recorder=getattr(world, persona), content=content())


def test_a_contact_lands_at_the_recorders_front_door_and_nowhere_else(world):
    referral = record_contact(recorder=world.outsider, content=content())
    assert referral.front_door == world.other_front_door
    with pytest.raises(Exception):  # noqa: B017, PT011 - Http404
        get_referral_for_user(world.mash, referral.reference)


def test_recording_is_audited(world):
    referral = record_contact(recorder=world.manager, content=content())
    assert AuditEvent.objects.filter(
        object_ref=referral.reference, action="created", actor=world.manager
    ).exists()


def test_a_contact_cannot_be_received_in_the_future(world):
    later = timezone.now() + dt.timedelta(minutes=5)
    assert problems_of(received_at=later) == {
        "contact.received_time": "The time it was received must be in the past"
    }


def test_a_contact_may_be_received_up_to_fourteen_days_ago_and_no_earlier(world):
    now = timezone.now()
    assert content(received_at=now - dt.timedelta(days=13, hours=23))
    assert "contact.received_on" in problems_of(received_at=now - dt.timedelta(days=14, minutes=2))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the time it was received, like 14:05"),
        ("25:00", "Enter a real time, like 9:30 or 14:05"),
        ("noon", "Enter a real time, like 9:30 or 14:05"),
    ],
)
def test_the_time_received_must_be_a_real_time(world, typed, message):
    assert problems_of(contact={"received_time": typed})["contact.received_time"] == message


def test_a_professional_needs_a_name_and_everyone_but_anonymous_a_census_source(world):
    problems = problems_of(contact={"source_name": "", "census_source": ""})
    assert problems["contact.source_name"] == "Enter the professional's name"
    assert problems["contact.census_source"].startswith("Select the referral source")


def test_a_caller_who_cannot_say_leaves_date_of_birth_life_and_consent_as_not_known(world):
    found = content(
        child={"date_of_birth": ""},
        concern={"childs_experience": "", "action_taken": ""},
        consent={"family_aware": "no", "consent": "not_known"},
    )
    referral = record_contact(recorder=world.mash, content=found)
    assert referral.childs_experience == "Not asked"
    assert referral.consent == "not_known"
    assert referral.children.get().date_of_birth is None


def test_the_portal_still_asks_a_referrer_for_the_date_of_birth_and_consent(world):
    from tests.conftest import a_document

    document = a_document(child={"date_of_birth": ""}, consent={"consent": "not_known"})
    found, problems = validate_content(document)
    assert found is None
    paths = {p.path for p in problems}
    assert {"children.0.date_of_birth", "consent.consent"} <= paths


def test_the_father_rule_holds_for_contacts_too(world):
    document = a_contact_document()
    document["adults"] = document["adults"][:1]
    found, problems = validate_content(document, contact=True)
    assert found is None
    assert "father_not_recorded_reason" in {p.path for p in problems}
