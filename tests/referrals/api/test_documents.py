"""Documents through the API: multipart upload with field errors, the list,
and the download through the same access rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent
from referrals.models import Attachment
from referrals.services.triage import request_information
from tests.conftest import submit, token_for
from tests.documents.files import EICAR, PDF, PNG

pytestmark = pytest.mark.usefixtures("document_store")


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def upload(client: APIClient, reference: str, name: str, data: bytes) -> Any:
    return client.post(
        f"/api/v1/referrals/{reference}/documents/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_a_referrer_uploads_a_pdf_and_the_front_door_downloads_it(world):
    referral = submit(world.hv)
    response = upload(api_for(world.hv), referral.reference, "Chronology.pdf", PDF)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Chronology.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["virus_check"] == "clean"
    assert body["download"] == f"/api/v1/documents/{body['id']}/"

    front_door = api_for(world.mash)
    listed = front_door.get(f"/api/v1/referrals/{referral.reference}/documents/").json()
    assert [d["name"] for d in listed] == ["Chronology.pdf"]
    response = front_door.get(body["download"])
    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Chronology.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action=Action.VIEWED, via="api", actor=world.mash, detail__page="document"
    ).exists()


def test_eicar_is_a_400_with_a_field_error_and_nothing_stored(world):
    referral = submit(world.hv)
    response = upload(api_for(world.hv), referral.reference, "photo.png", EICAR)
    assert response.status_code == 400
    assert response.json()["fields"]["file"][0].startswith("The selected file contains a virus")
    assert not Attachment.objects.exists()


def test_a_wrong_kind_of_file_and_a_missing_file_are_400s(world):
    referral = submit(world.hv)
    api = api_for(world.hv)
    response = upload(api, referral.reference, "photo.png", b"GIF89a not really")
    assert response.status_code == 400
    assert "must be a PDF" in response.json()["fields"]["file"][0]
    response = api.post(
        f"/api/v1/referrals/{referral.reference}/documents/", {}, format="multipart"
    )
    assert response.json()["fields"] == {"file": ["Select a file"]}
    response = api.post(
        f"/api/v1/referrals/{referral.reference}/documents/", {"file": "x"}, format="json"
    )
    assert response.status_code == 415


def test_another_front_door_can_neither_list_nor_download(world):
    referral = submit(world.hv)
    body = upload(api_for(world.hv), referral.reference, "map.png", PNG).json()
    outsider = api_for(world.outsider)
    assert outsider.get(f"/api/v1/referrals/{referral.reference}/documents/").status_code == 404
    assert outsider.get(body["download"]).status_code == 404
    assert upload(outsider, referral.reference, "x.png", PNG).status_code == 404
    assert AuditEvent.objects.filter(
        action=Action.REFUSED, actor=world.outsider, object_ref=referral.reference
    ).exists()


def test_a_document_waiting_for_its_scan_has_no_download(world, clamd_down):
    referral = submit(world.hv)
    body = upload(api_for(world.hv), referral.reference, "map.png", PNG).json()
    assert (body["virus_check"], body["download"]) == ("waiting", None)
    assert api_for(world.mash).get(f"/api/v1/documents/{body['id']}/").status_code == 404


def test_a_partner_agency_answers_with_a_document(world):
    referral = submit(world.hv)
    info = request_information(
        referral=referral, actor=world.mash, question="Seen recently?", to_agency=world.agency_b
    )
    response = api_for(world.gp).post(
        f"/api/v1/questions/{info.pk}/answer/",
        {"answer": "Yes, letter attached.", "file": SimpleUploadedFile("letter.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    letter = Attachment.objects.get(information_request=info)
    assert letter.document.name == "letter.pdf"
    listed = api_for(world.hv).get(f"/api/v1/referrals/{referral.reference}/documents/").json()
    assert listed == []


def test_an_answer_with_an_infected_file_is_not_recorded(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Photos?")
    response = api_for(world.hv).post(
        f"/api/v1/referrals/{referral.reference}/information-requests/{info.pk}/answer/",
        {"answer": "Here.", "file": SimpleUploadedFile("p.png", EICAR)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "virus" in response.json()["fields"]["file"][0]
    info.refresh_from_db()
    assert info.is_open


def test_a_json_answer_still_works(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Pets?")
    response = api_for(world.hv).post(
        f"/api/v1/referrals/{referral.reference}/information-requests/{info.pk}/answer/",
        {"answer": "A dog."},
        format="json",
    )
    assert response.status_code == 200
