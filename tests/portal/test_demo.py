from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from referrals.models import Escalation, Referral
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
    ]:
        assert username in text
    assert "password for all" in text
    # Five from partner agencies; three contacts (a call, a letter closed as
    # information only, a report from the public page).
    assert Referral.objects.exclude(kind="contact").count() == 5
    assert sorted(Referral.objects.filter(kind="contact").values_list("channel", flat=True)) == [
        "letter",
        "phone",
        "public_form",
    ]
    assert Escalation.objects.filter(rule="not_acknowledged", level=1).count() == 1
    assert Escalation.objects.filter(rule="challenge_unresolved", level=1).count() == 1


def test_seed_demo_can_run_twice_without_duplicating_anything(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Referral.objects.count() == 8
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
    # A handful of referrals: shown as small numbers, so no child stands out.
    assert '<span class="app-count">fewer than 5</span> referrals' in page
    assert '<span class="app-count">fewer than 5</span> consultations' in page
    assert "Leo" not in page


def test_the_demo_administrator_administers_its_front_door_and_is_not_a_superuser(db):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    admin = get_user_model().objects.get(username="admin.demo")
    assert not admin.is_superuser and not admin.is_staff
    assert not get_user_model().objects.filter(is_superuser=True).exists()
