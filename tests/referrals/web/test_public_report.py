"""Report a concern about a child: the public page, without an account."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client, override_settings

from audit.models import AuditEvent
from notifications.models import Notification
from referrals.models import Referral
from tests.conftest import client_for

ANSWERS = {
    "relationship": "acquaintance",
    "child_name": "Kai Brook",
    "child_age": "about 4",
    "child_address": "Flat 2, 9 Mill Lane, Northbridge",
    "child_postcode": "nb1 2aa",
    "what_happened": "I hear a small child screaming most nights and a man shouting.",
    "danger_now": "no",
    "your_name": "Pat Lee",
    "your_phone": "",
    "your_email": "pat.lee@example.test",
    "website": "",
}


def post(client: Client, **changes: str):
    return client.post("/report-a-concern/", {**ANSWERS, **changes}, REMOTE_ADDR="203.0.113.9")


def error_summary(response) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.content.decode())


def test_the_page_opens_without_an_account_with_the_999_warning_first(world):
    page = Client().get("/report-a-concern/").content.decode()
    assert page.index("call 999") < page.index("<h1")
    assert "Report a concern about a child" in page


def test_a_member_of_the_public_gets_a_reference_and_the_front_door_sees_it(world):
    world.front_door.alert_email = "mash@northbridge.example.test"
    world.front_door.save()
    response = post(Client())
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.reference in response.content.decode()
    assert referral.front_door == world.front_door
    assert (referral.kind, referral.channel, referral.census_source) == (
        "contact",
        "public_form",
        "1B",
    )
    assert referral.children.get().postcode == "NB1 2AA"
    assert "about 4" in referral.what_happened
    queue = client_for(world.mash).get("/front-door/queue/").content.decode()
    assert referral.reference in queue
    sent = set(Notification.objects.filter(referral=referral).values_list("purpose", "to_address"))
    assert sent == {
        ("receipt", "pat.lee@example.test"),
        ("arrival", "mash@northbridge.example.test"),
    }
    receipt = Notification.objects.get(referral=referral, purpose="receipt")
    assert "Kai" not in receipt.body and "screaming" not in receipt.body


def test_someone_who_leaves_no_name_or_way_to_reach_them_is_recorded_as_anonymous(world):
    post(Client(), your_name="", your_email="", relationship="family")
    referral = Referral.objects.get()
    assert (referral.source_type, referral.census_source) == ("anonymous", "9")
    assert not Notification.objects.filter(referral=referral, purpose="receipt").exists()


def test_danger_now_makes_it_urgent(world):
    post(Client(), danger_now="yes")
    assert Referral.objects.get().urgency == "urgent"


def test_a_missing_answer_is_shown_plainly_and_the_typed_words_kept(world):
    response = post(Client(), child_address="", danger_now="")
    assert response.status_code == 200
    assert [(anchor, html.unescape(m)) for anchor, m in error_summary(response)] == [
        ("id_child_address", "Enter where the child lives, or 'Not known'"),
        ("id_danger_now", "Select whether the child is in danger right now"),
    ]
    assert "<title>Error:" in response.content.decode()
    assert "screaming most nights" in response.content.decode()
    assert not Referral.objects.exists()


def test_an_answer_too_long_is_refused_not_cut(world):
    response = post(Client(), what_happened="x" * 5001)
    assert not Referral.objects.exists()
    assert "What are you worried about? must be 5,000 characters or fewer" in (
        response.content.decode()
    )
    assert post(Client(), what_happened="x" * 5000).status_code == 200


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_recorded(world):
    response = post(Client(), website="http://spam.example")
    assert response.status_code == 200
    assert "Your report has been sent" in response.content.decode()
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="refused", object_type="public_report").exists()


@override_settings(PUBLIC_REPORTS_PER_HOUR=2)
def test_past_the_hours_budget_one_address_is_asked_to_phone_with_its_answers_kept(world):
    client = Client()
    assert post(client).status_code == 200
    assert post(client).status_code == 200
    response = post(client)
    assert response.status_code == 429
    assert "Phone the front door instead" in response.content.decode()
    assert "screaming most nights" in response.content.decode()
    assert Referral.objects.count() == 2
    # Another address is not held back.
    other = Client().post("/report-a-concern/", ANSWERS, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_the_page_says_the_same_whoever_owns_the_email_address(world):
    known = post(Client(), your_email=world.mash.email).content.decode()
    unknown = post(Client(), your_email="nobody@example.test").content.decode()

    def strip(html: str) -> str:
        html = re.sub(r"FD-[0-9A-Z-]+", "REF", html)
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r"nonce-[^'\"]+|nonce=\"[^\"]+\"", "", html)

    assert strip(known) == strip(unknown)


@override_settings(PUBLIC_REPORTS_FRONT_DOOR="")
def test_with_two_front_doors_and_none_chosen_the_page_says_to_phone(world):
    # The world has two front doors (Northbridge and Southport).
    response = Client().get("/report-a-concern/")
    assert response.status_code == 503
    assert "call 999" in response.content.decode()


@override_settings(PUBLIC_REPORTS_FRONT_DOOR="Southport Front Door")
def test_reports_land_at_the_front_door_the_deployment_names(world):
    post(Client())
    assert Referral.objects.get().front_door == world.other_front_door


@pytest.fixture(autouse=True)
def _one_front_door(settings):
    """The world has two front doors; the deployment names Northbridge's."""
    if not settings.PUBLIC_REPORTS_FRONT_DOOR:
        settings.PUBLIC_REPORTS_FRONT_DOOR = "Northbridge Front Door"
