"""How to reach a person: the front door's number and hours at the foot of
every page, on the error pages (even when the database is unreachable), and
the help, privacy and accessibility pages anyone can open."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import Client

from agencies.models import Agency
from tests.conftest import client_for


@pytest.fixture
def numbers(world):
    Agency.objects.filter(pk=world.front_door.pk).update(
        phone="01632 960 001",
        opening_hours="Monday to Friday, 9am to 5pm",
        out_of_hours_phone="01632 960 999",
    )
    Agency.objects.filter(pk=world.other_front_door.pk).update(phone="01632 960 222")
    return world


def test_a_referrer_sees_their_own_front_doors_number_and_hours_on_every_page(numbers):
    page = client_for(numbers.hv).get("/referrals/").content.decode()
    assert 'href="tel:01632960001"' in page
    assert "Monday to Friday, 9am to 5pm" in page
    assert "01632 960 999" in page
    # Another local authority's front door is not theirs to phone.
    assert "01632 960 222" not in page


def test_front_door_staff_see_their_front_doors_number(numbers):
    page = client_for(numbers.outsider).get("/front-door/queue/").content.decode()
    assert "01632 960 222" in page
    assert "01632 960 001" not in page


def test_anyone_can_open_help_privacy_and_accessibility_without_signing_in(numbers):
    client = Client()
    help_page = client.get("/help/")
    assert help_page.status_code == 200
    text = help_page.content.decode()
    assert "Northbridge Front Door" in text and "01632 960 001" in text
    assert "Southport Front Door" in text and "01632 960 222" in text
    assert "call 999" in text
    privacy = client.get("/privacy/").content.decode()
    assert "Children Act 1989" in privacy and "ico.org.uk" in privacy
    statement = client.get("/accessibility/").content.decode()
    assert "Enforcement procedure" in statement and "WCAG" in statement
    signed_out_footer = client.get("/sign-in/").content.decode()
    assert 'href="/help/"' in signed_out_footer
    assert 'href="/accessibility/"' in signed_out_footer


def test_a_front_door_without_a_number_is_left_off_the_help_page(world):
    text = Client().get("/help/").content.decode()
    assert "Northbridge Front Door" not in text
    assert "No front door has given a number yet" in text


def test_a_front_doors_name_is_escaped_where_its_number_is_shown(numbers):
    Agency.objects.filter(pk=numbers.front_door.pk).update(name="<b>Northbridge</b>")
    text = Client().get("/help/").content.decode()
    assert "<b>Northbridge</b>" not in text
    assert "&lt;b&gt;Northbridge&lt;/b&gt;" in text


def test_the_not_found_page_gives_the_number_to_phone(numbers):
    response = client_for(numbers.hv).get("/referrals/FD-0000-0000/")
    assert response.status_code == 404
    assert "To speak to someone, phone the front door" in response.content.decode()
    assert "01632 960 001" in response.content.decode()


def test_the_unavailable_page_gives_the_last_known_numbers_when_the_database_is_down(numbers):
    from referrals.services.drafts import start_draft
    from tests.conftest import a_document

    Client().get("/help/")  # the numbers are read, as on any page
    draft = start_draft(author=numbers.hv, prefill=a_document())
    client = client_for(numbers.hv)
    client.raise_request_exception = False
    with mock.patch("referrals.web.drafts.submit_referral", side_effect=OperationalError("gone")):
        response = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "01632 960 001" in page and "01632 960 222" in page


def test_the_error_page_gives_the_numbers_when_something_else_broke(numbers):
    client = client_for(numbers.hv)
    client.raise_request_exception = False
    with mock.patch("referrals.web.lists._page", side_effect=RuntimeError("bug")):
        response = client.get("/referrals/")
    assert response.status_code == 500
    assert "01632 960 001" in response.content.decode()


@pytest.mark.parametrize("number", ["01632 960 001", "+44 1632 960001", "(01632) 960001"])
def test_a_telephone_number_as_people_write_it_is_accepted(world, number):
    world.front_door.phone = number
    world.front_door.full_clean()


@pytest.mark.parametrize("number", ["call the office", "01632-960-001", "12345", "0" * 31])
def test_something_that_is_not_a_telephone_number_is_refused(world, number):
    world.front_door.phone = number
    with pytest.raises(ValidationError) as refused:
        world.front_door.full_clean()
    assert "phone" in refused.value.message_dict
