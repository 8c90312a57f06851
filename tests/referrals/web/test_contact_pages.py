"""Recording a contact on the pages: who may, the contact page, check and
record (or close as information only), the receipt, and the queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from referrals.models import Draft, Referral
from referrals.services.drafts import start_draft
from tests.conftest import client_for
from tests.referrals.contact_documents import a_contact_document


def error_summary(response) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.content.decode())


def contact_page_data(**overrides):
    now = timezone.localtime() - dt.timedelta(minutes=10)
    data = {
        "channel": "phone",
        "received_on-day": str(now.day),
        "received_on-month": str(now.month),
        "received_on-year": str(now.year),
        "received_time": f"{now:%H:%M}",
        "source_type": "public",
        "source_name": "Pat Neighbour",
        "source_role": "Neighbour",
        "source_phone": "07700 900 982",
        "census_source": "1B",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["hv", "lead_a", "senior", "admin"])
def test_only_front_door_practitioners_and_managers_may_record_contacts(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/contacts/new/").status_code == 403
    assert client.post("/contacts/new/").status_code == 403
    assert "Record a contact" not in client.get("/", follow=True).content.decode()


def test_a_practitioner_starts_with_the_time_received_filled_in_as_now(world):
    client = client_for(world.mash)
    assert "Record a contact" in client.get("/", follow=True).content.decode()
    response = client.post("/contacts/new/")
    match = re.match(r"^/referrals/drafts/([0-9a-f-]+)/contact/$", response["Location"])
    assert match, response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert f'value="{timezone.localtime():%H:}' in page
    assert "How it came in, and who from" in page
    assert "Step 1 of 9" in page


def test_a_time_in_the_future_is_refused_with_the_typed_answers_kept(world):
    client = client_for(world.mash)
    url = client.post("/contacts/new/")["Location"]
    later = timezone.localtime() + dt.timedelta(hours=2)
    response = client.post(
        url,
        contact_page_data(
            **{
                "received_on-day": str(later.day),
                "received_on-month": str(later.month),
                "received_on-year": str(later.year),
                "received_time": f"{later:%H:%M}",
            }
        ),
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("id_received_time", "The time it was received must be in the past")
    ]
    assert "Pat Neighbour" in response.content.decode()
    assert Draft.objects.get(author=world.mash).data["contact"]["source_name"] == "Pat Neighbour"


def test_the_contact_page_moves_on_to_how_urgent_it_is(world):
    client = client_for(world.mash)
    url = client.post("/contacts/new/")["Location"]
    response = client.post(url, contact_page_data())
    assert response.status_code == 302
    assert response["Location"].endswith("/type/")
    page = client.get(response["Location"]).content.decode()
    assert "How urgent is it?" in page
    assert "making a referral or asking for a consultation" not in page


def a_full_draft(world, **overrides):
    return start_draft(author=world.mash, prefill=a_contact_document(**overrides))


def test_a_practitioner_records_a_contact_and_sees_its_receipt_and_it_is_in_the_queue(world):
    draft = a_full_draft(world)
    client = client_for(world.mash)
    check = client.get(f"/referrals/drafts/{draft.pk}/check/").content.decode()
    assert "Check the contact before recording it" in check
    assert "Dr Rosa Okafor" in check
    response = client.post(f"/referrals/drafts/{draft.pk}/check/", {"action": "record"})
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.reference}/receipt/"
    receipt = client.get(response["Location"]).content.decode()
    assert "Contact recorded" in receipt and referral.reference in receipt
    assert "rosa.okafor@hilltop.example.test" in receipt
    queue = client_for(world.manager).get("/front-door/queue/").content.decode()
    assert referral.reference in queue
    detail = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "3A: HEALTH SERVICES – general practitioner (GP)" in detail
    assert "Turn this contact into a referral" in detail
    assert not Draft.objects.exists()


def test_closing_as_information_only_asks_why_and_keeps_the_draft_until_told(world):
    draft = a_full_draft(world)
    client = client_for(world.mash)
    url = f"/referrals/drafts/{draft.pk}/check/"
    response = client.post(url, {"action": "close", "closing_reasons": "  "})
    assert response.status_code == 200
    assert error_summary(response) == [
        ("closing_reasons", "Enter why the contact is closed as information only")
    ]
    assert "<title>Error:" in response.content.decode()
    assert not Referral.objects.exists()
    response = client.post(
        url, {"action": "close", "closing_reasons": "Sharing that the family has moved away."}
    )
    referral = Referral.objects.get()
    assert referral.decision == "information_only"
    assert "Information only" in client.get(response["Location"]).content.decode()


def test_a_contact_with_a_missing_answer_points_to_the_page_to_fix(world):
    draft = a_full_draft(world, contact={"source_type": ""})
    response = client_for(world.mash).post(
        f"/referrals/drafts/{draft.pk}/check/", {"action": "record"}
    )
    assert response.status_code == 200
    assert ("Select who it came from") in response.content.decode()
    assert f"/referrals/drafts/{draft.pk}/contact/?return=check" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_contact_draft_is_its_authors_alone(world):
    draft = a_full_draft(world)
    assert client_for(world.manager).get(f"/referrals/drafts/{draft.pk}/check/").status_code == 404


def test_a_worker_who_left_the_front_door_cannot_record_their_draft(world):
    draft = a_full_draft(world)
    world.mash.memberships.update(is_active=False)
    response = client_for(world.mash).post(
        f"/referrals/drafts/{draft.pk}/check/", {"action": "record"}
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_converting_a_contact_to_a_referral_keeps_its_reference_and_tells_nobody(world):
    draft = a_full_draft(world)
    client = client_for(world.mash)
    client.post(f"/referrals/drafts/{draft.pk}/check/", {"action": "record"})
    referral = Referral.objects.get()
    client.post(f"/referrals/{referral.reference}/convert/")
    referral.refresh_from_db()
    assert referral.kind == "referral"
    assert not referral.notifications.filter(purpose="converted").exists()


def test_the_portals_own_drafts_page_does_not_list_contact_drafts(world):
    a_full_draft(world)
    page = client_for(world.mash).get("/contacts/new/").content.decode()
    assert "Carry on recording a contact" in page
