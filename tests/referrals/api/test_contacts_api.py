"""POST /api/v1/contacts/: the front door's own systems record contacts
with the same rules and messages as the Record a contact pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from referrals.models import Referral
from tests.conftest import token_for
from tests.referrals.contact_documents import a_contact_document


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def test_a_practitioner_records_a_phone_call_and_gets_its_receipt(world):
    called = (timezone.now() - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    response = api_for(world.mash).post(
        "/api/v1/contacts/", a_contact_document(received_at=called), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(reference=body["reference"])
    assert body["kind"] == "contact"
    assert (body["channel"], body["census_source"], body["source_type"]) == (
        "phone",
        "3A",
        "professional",
    )
    assert referral.received_at == called
    assert AuditEvent.objects.filter(
        object_ref=referral.reference, action="created", via="api", actor=world.mash
    ).exists()


def test_a_contact_closed_as_information_only_through_the_api(world):
    document = a_contact_document()
    document["close_as_information_only"] = True
    document["closing_reasons"] = "Sharing information only."
    body = api_for(world.manager).post("/api/v1/contacts/", document, format="json").json()
    assert (body["status"], body["decision"]) == ("decided", "information_only")


def test_closing_without_a_reason_is_a_field_error(world):
    document = a_contact_document()
    document["close_as_information_only"] = True
    response = api_for(world.mash).post("/api/v1/contacts/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "closing_reasons": ["Enter why the contact is closed as information only"]
    }
    assert not Referral.objects.exists()


def test_field_errors_carry_the_pages_messages_by_path(world):
    later = timezone.now() + dt.timedelta(hours=1)
    response = api_for(world.mash).post(
        "/api/v1/contacts/",
        a_contact_document(received_at=later, contact={"channel": "pigeon"}),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["contact.channel"] == ["Select how it reached the front door"]
    assert fields["contact.received_time"] == ["The time it was received must be in the past"]


@pytest.mark.parametrize("body", [[], "text", 3])
def test_a_body_that_is_not_an_object_is_a_400_not_a_500(world, body):
    response = api_for(world.mash).post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "senior", "admin"])
def test_only_front_door_practitioners_and_managers_record_contacts(world, persona):
    response = api_for(getattr(world, persona)).post(
        "/api/v1/contacts/", a_contact_document(), format="json"
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_without_credentials_nothing_is_recorded(world):
    response = APIClient().post("/api/v1/contacts/", a_contact_document(), format="json")
    assert response.status_code in (401, 403)
    assert not Referral.objects.exists()


def test_the_recorded_contact_is_read_back_like_any_referral(world):
    api = api_for(world.mash)
    reference = api.post("/api/v1/contacts/", a_contact_document(), format="json").json()[
        "reference"
    ]
    assert api.get(f"/api/v1/referrals/{reference}/").status_code == 200
    assert api_for(world.outsider).get(f"/api/v1/referrals/{reference}/").status_code == 404
