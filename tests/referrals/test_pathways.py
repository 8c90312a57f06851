"""The urgent pathways the reviews ask for, and consultation -> referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from notifications.dispatch import dispatch_due_notifications
from notifications.models import Notification
from referrals.models import Kind, Urgency
from referrals.services.triage import convert_to_referral
from tests.conftest import client_for, submit

WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def injured_baby(**extra):
    born = (WEDNESDAY_10AM.date() - dt.timedelta(weeks=12)).isoformat()
    return {
        "child": {"date_of_birth": born},
        "concern": {"categories": ["non_mobile_injury"]},
        **extra,
    }


def test_an_injury_to_a_non_mobile_baby_starts_the_urgent_pathway_at_once(world):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    referral = submit(world.hv, now=WEDNESDAY_10AM, **injured_baby())
    assert referral.non_mobile_injury
    assert referral.urgency == Urgency.URGENT
    assert referral.acknowledge_by == WEDNESDAY_10AM + dt.timedelta(hours=1)
    assert referral.strategy_discussion_by == WEDNESDAY_10AM + dt.timedelta(hours=24)
    assert referral.police_notified_at == WEDNESDAY_10AM
    outbox = {(n.purpose, n.to_address) for n in Notification.objects.filter(referral=referral)}
    assert ("police", "ppu@police.example") in outbox
    assert ("urgent_alert", world.manager.email) in outbox
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "police_notified", "managers_alerted"]


def test_the_police_email_is_sent_through_the_outbox_and_shown_on_the_page(world):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    referral = submit(world.hv, **injured_baby())
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Email to the police (ppu@police.example)" in page and "waiting to send" in page
    dispatch_due_notifications()
    police = [m for m in mail.outbox if m.to == ["ppu@police.example"]]
    assert len(police) == 1 and referral.reference in police[0].subject
    assert "Marsh" not in police[0].body  # no personal data by email
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    # A mail relay's acceptance is "sent": only a delivery receipt (GOV.UK
    # Notify, tests/notifications/test_receipts.py) makes it "delivered".
    assert "email sent at" in page and "delivered" not in page
    assert "Strategy discussion due by" in page


def test_without_a_police_inbox_the_page_tells_the_front_door_to_phone(world):
    referral = submit(world.hv, **injured_baby())
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "phone the police now" in page


def test_a_physical_injury_to_a_baby_under_six_months_is_treated_as_non_mobile(world):
    referral = submit(
        world.hv, now=WEDNESDAY_10AM, **injured_baby(concern={"categories": ["physical_abuse"]})
    )
    assert referral.non_mobile_injury


def test_a_physical_injury_to_an_older_child_is_not(world):
    referral = submit(world.hv, now=WEDNESDAY_10AM, concern={"categories": ["physical_abuse"]})
    assert not referral.non_mobile_injury and referral.urgency == Urgency.STANDARD


def test_a_pre_birth_referral_carries_the_due_date(world):
    due = WEDNESDAY_10AM.date() + dt.timedelta(weeks=20)
    referral = submit(
        world.hv,
        now=WEDNESDAY_10AM,
        child={
            "born": "no",
            "date_of_birth": None,
            "expected_date_of_delivery": due.isoformat(),
            "first_name": "Baby",
            "sex": "not_known",
            "nhs_number": "",
        },
    )
    assert referral.expected_due_date == due
    assert referral.urgency == Urgency.STANDARD
    queue = client_for(world.mash).get("/front-door/queue/").content.decode()
    assert f"due {due:%-d %b %Y}" in queue


def test_a_baby_due_within_twelve_weeks_runs_on_urgent_deadlines(world):
    due = WEDNESDAY_10AM.date() + dt.timedelta(weeks=6)
    referral = submit(
        world.hv,
        now=WEDNESDAY_10AM,
        child={"born": "no", "date_of_birth": None, "expected_date_of_delivery": due.isoformat()},
    )
    assert referral.urgency == Urgency.URGENT
    assert referral.acknowledge_by == WEDNESDAY_10AM + dt.timedelta(hours=1)
    event = referral.events.first()
    assert event is not None and "baby due within 12 weeks" in event.summary


def test_a_front_door_worker_converts_a_consultation_keeping_its_reference_and_history(world):
    consultation = submit(world.hv, kind="consultation")
    converted = convert_to_referral(referral=consultation, actor=world.mash)
    assert converted.reference == consultation.reference
    assert converted.kind == Kind.REFERRAL
    assert [h.kind for h in converted.history.order_by("history_date")] == [
        "consultation",
        "referral",
    ]
    event = converted.events.last()
    assert event is not None
    assert event.summary.startswith("Converted from a consultation to a referral by")
    assert Notification.objects.filter(
        referral=converted, purpose="converted", to_address=world.hv.email
    ).exists()


@pytest.mark.parametrize("persona", ["hv", "lead_a", "outsider", "senior"])
def test_only_front_door_practitioners_and_managers_convert(world, persona):
    consultation = submit(world.hv, kind="consultation")
    with pytest.raises(PermissionDenied):
        convert_to_referral(referral=consultation, actor=getattr(world, persona))


def test_converting_from_the_referral_page(world):
    consultation = submit(world.hv, kind="consultation")
    client = client_for(world.mash)
    assert (
        "Turn this consultation into a referral"
        in client.get(f"/referrals/{consultation.reference}/").content.decode()
    )
    response = client.post(f"/referrals/{consultation.reference}/convert/", follow=True)
    assert "is now a referral" in response.content.decode()
    assert (
        client_for(world.hv).post(f"/referrals/{consultation.reference}/convert/").status_code
        == 403
    )


def test_an_urgent_referral_out_of_hours_alerts_the_emergency_duty_team(world):
    world.front_door.edt_alert_email = "edt@council.example"
    world.front_door.save()
    saturday_night = dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC)
    referral = submit(world.hv, now=saturday_night, urgency="urgent")
    assert referral.acknowledge_by == saturday_night + dt.timedelta(hours=1)
    assert Notification.objects.filter(
        referral=referral, purpose="out_of_hours", to_address="edt@council.example"
    ).exists()
    assert referral.events.filter(kind="out_of_hours").exists()


SATURDAY_NIGHT = dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC)


def test_without_a_duty_team_an_urgent_receipt_out_of_hours_promises_nothing(world):
    referral = submit(world.hv, now=SATURDAY_NIGHT, urgency="urgent")
    receipt = client_for(world.hv).get(f"/referrals/{referral.reference}/receipt/")
    page = receipt.content.decode()
    assert "nobody at the front door is on duty to receive it" in page
    assert "will acknowledge it by" not in page
    body = Notification.objects.get(referral=referral, purpose="receipt").body
    assert "nobody at the front door is on duty" in body and "acknowledge it by" not in body
    assert not Notification.objects.filter(referral=referral, purpose="out_of_hours").exists()


@pytest.mark.parametrize(
    ("edt", "now", "urgency"),
    [
        ("edt@council.example", SATURDAY_NIGHT, "urgent"),  # the duty team is told
        ("", WEDNESDAY_10AM, "urgent"),  # the office is open
        ("", SATURDAY_NIGHT, "standard"),  # promised for the next working day
    ],
)
def test_otherwise_the_receipt_promises_the_acknowledgement(world, edt, now, urgency):
    world.front_door.edt_alert_email = edt
    world.front_door.save()
    referral = submit(world.hv, now=now, urgency=urgency)
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/receipt/").content.decode()
    assert "will acknowledge it by" in page and "nobody at the front door is on duty" not in page
    body = Notification.objects.get(referral=referral, purpose="receipt").body
    assert "acknowledge it by" in body


def test_an_urgent_referral_in_office_hours_does_not_wake_the_duty_team(world):
    world.front_door.edt_alert_email = "edt@council.example"
    world.front_door.save()
    referral = submit(world.hv, now=WEDNESDAY_10AM, urgency="urgent")
    assert not Notification.objects.filter(referral=referral, purpose="out_of_hours").exists()


# Either direct "yes" about a non-mobile baby starts the injured-baby pathway,
# whatever kind of concern was ticked (Rapid Review A2: sent as "neglect").


def three_week_old(**concern):
    from django.utils import timezone

    born = (timezone.localdate() - dt.timedelta(weeks=3)).isoformat()
    return {
        "child": {"date_of_birth": born},
        "concern": {"categories": ["neglect"], **concern},
    }


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (
            {"baby_injury": "no", "baby_collapse": "yes"},
            "a non-mobile baby collapsed, stopped breathing, or went floppy or limp",
        ),
        (
            {"baby_injury": "yes", "baby_collapse": "no"},
            "a bruise, mark, burn, bleeding, swelling or suspected fracture on a non-mobile baby",
        ),
    ],
)
def test_a_yes_about_a_baby_starts_the_injured_baby_pathway_whatever_was_ticked(
    world, answers, reason
):
    world.front_door.police_alert_email = "ppu@police.example"
    world.front_door.save()
    referral = submit(world.hv, **three_week_old(**answers))
    assert referral.non_mobile_injury and referral.urgency == Urgency.URGENT
    assert referral.urgent_reasons == [reason]
    assert referral.acknowledge_by == referral.received_at + dt.timedelta(hours=1)
    assert referral.strategy_discussion_by == referral.received_at + dt.timedelta(hours=24)
    outbox = {(n.purpose, n.to_address) for n in Notification.objects.filter(referral=referral)}
    assert ("police", "ppu@police.example") in outbox


def test_two_noes_about_a_baby_with_neglect_stay_on_the_standard_pathway(world):
    referral = submit(world.hv, **three_week_old(baby_injury="no", baby_collapse="no"))
    assert not referral.non_mobile_injury and referral.urgency == Urgency.STANDARD
    assert referral.urgent_reasons == []
    assert (referral.baby_injury, referral.baby_collapse) == ("no", "no")


def test_an_older_child_not_yet_moving_about_counts_as_a_non_mobile_baby(world):
    from django.utils import timezone

    born = (timezone.localdate() - dt.timedelta(days=250)).isoformat()
    referral = submit(
        world.hv, child={"date_of_birth": born, "mobile": "no"}, concern={"baby_injury": "yes"}
    )
    assert referral.non_mobile_injury
    assert referral.children.get().mobile == "no"


def test_a_consultation_that_turned_urgent_says_why_on_its_receipt_and_page(world):
    referral = submit(world.hv, kind="consultation", **three_week_old(baby_collapse="yes"))
    assert referral.kind == Kind.CONSULTATION and referral.urgency == Urgency.URGENT
    hv = client_for(world.hv)
    receipt = hv.get(f"/referrals/{referral.reference}/receipt/").content.decode()
    assert "You asked for a consultation, but what you told us makes it urgent" in receipt
    assert "a non-mobile baby collapsed, stopped breathing, or went floppy or limp" in receipt
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Why: a non-mobile baby collapsed, stopped breathing" in page
    assert "Baby collapsed, stopped breathing, or went floppy or limp" in page
    body = Notification.objects.get(referral=referral, purpose="receipt").body
    assert "makes it urgent" in body and "collapsed" not in body  # the why stays in the portal


def test_a_consultation_the_sender_marked_urgent_has_no_pathway_reasons_to_show(world):
    referral = submit(world.hv, kind="consultation", urgency="urgent")
    receipt = client_for(world.hv).get(f"/referrals/{referral.reference}/receipt/")
    assert referral.urgent_reasons == []
    assert "makes it urgent" not in receipt.content.decode()
