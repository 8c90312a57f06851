from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from referrals.models import DecisionProposal, Escalation, Referral
from tests.conftest import sign_in


def test_seed_demo_creates_the_sign_ins_and_an_escalated_overdue_referral(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for username in [
        "hv.demo",
        "gp.demo",
        "mash.demo",
        "manager.demo",
        "senior.demo",
        "admin.demo",
        "midwife.demo",
        "hospital.demo",
    ]:
        assert username in text
    assert "password for all" in text
    assert "Family T" in text
    assert Referral.objects.count() == 5 + 1 + 4  # the samples, Ava's proposal, and Family T
    assert Escalation.objects.filter(rule="not_acknowledged", level=1).count() == 1
    assert Escalation.objects.filter(rule="challenge_unresolved", level=1).count() == 1
    # Plymouth: advice on a bruised three-week-old waits for manager.demo.
    waiting = DecisionProposal.objects.get(is_open=True)
    assert waiting.decision == "advice" and waiting.proposed_by.username == "mash.demo"
    assert waiting.referral.status == "acknowledged"


def test_seed_demo_can_run_twice_without_duplicating_anything(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Referral.objects.count() == 5 + 1 + 4
    assert Escalation.objects.filter(rule="not_acknowledged").count() == 2


def test_demo_people_can_sign_in_with_the_printed_password(db):
    from django.contrib.auth import authenticate
    from django.http import HttpRequest

    call_command("seed_demo", stdout=StringIO())
    assert authenticate(HttpRequest(), username="hv.demo", password="front-door-demo") is not None


def test_the_demo_shows_a_failed_email_and_has_a_partnership_viewer(db):
    from notifications.models import Notification

    call_command("seed_demo", stdout=StringIO())
    assert Notification.objects.filter(status="failed", purpose="challenge").count() == 1
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    sign_in(client, get_user_model().objects.get(username="partnership.demo"))
    page = client.get("/", follow=True).content.decode()
    # The last 30 days: everything but the consultation from eight months ago.
    assert "Partnership figures" in page
    # Five referrals (Family T's twins among them), rounded to the nearest five;
    # the one consultation a small number, so no child stands out.
    assert '<span class="app-count">5</span> referrals' in page
    assert '<span class="app-count">fewer than 5</span> consultations' in page
    assert "Leo" not in page


def test_the_demo_administrator_administers_its_front_door_and_is_not_a_superuser(db):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    admin = get_user_model().objects.get(username="admin.demo")
    assert not admin.is_superuser and not admin.is_staff
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_the_demo_has_two_areas_and_an_ambulance_service_serving_both(db):
    from django.contrib.auth import get_user_model

    from agencies.models import Agency
    from agencies.selectors import front_door_for_postcode
    from portal.demo import FRONT_DOOR, seed_demo
    from portal.demo_areas import AMBULANCE, SECOND_FRONT_DOOR
    from referrals.routing import front_doors_for_sender

    seed_demo(password="front-door-demo")
    seed_demo(password="front-door-demo")
    assert getattr(front_door_for_postcode("SP4 2AB"), "name", None) == SECOND_FRONT_DOOR
    assert getattr(front_door_for_postcode("NB1 4QT"), "name", None) == FRONT_DOOR
    ambulance = Agency.objects.get(name=AMBULANCE)
    assert front_doors_for_sender(ambulance).count() == 2
    assert (
        get_user_model()
        .objects.filter(username__in=["ambulance.demo", "south.demo", "southmanager.demo"])
        .count()
        == 3
    )


def test_the_demo_front_door_has_someone_on_call_tonight(db):
    import datetime as dt

    from django.utils import timezone

    from agencies.models import Agency, OnCallShift
    from agencies.selectors import on_call_phones
    from portal.demo import FRONT_DOOR

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    front_door = Agency.objects.get(name=FRONT_DOOR)
    assert OnCallShift.objects.filter(front_door=front_door).count() == 28
    tonight = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    assert on_call_phones(
        front_door_id=front_door.pk, roles=["duty_manager", "senior_manager"], at=tonight
    ) == ["07700900001", "07700900002"]
    midday = tonight - dt.timedelta(hours=11)
    assert on_call_phones(front_door_id=front_door.pk, roles=["duty_manager"], at=midday) == []


def test_the_demo_police_officer_sees_the_injured_baby_referral_to_acknowledge(db):
    from referrals.models import PoliceNotice

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "police.demo" in out.getvalue()
    # Noah Fielding's (and the other injured babies of the demo's referrals).
    notice = PoliceNotice.objects.get(referral__children__first_name="Noah")
    assert notice.police.name == "Northbridge Police Public Protection Unit"
    assert notice.police.supervisor_email
    from django.contrib.auth import get_user_model
    from django.test import Client

    officer = get_user_model().objects.get(username="police.demo")
    page = sign_in(Client(), officer).get("/police/referrals/").content.decode()
    assert notice.referral.reference in page
