"""Documents on a referral's pages: adding one (GOV.UK file upload, errors in
the error summary), opening one (only through the access check, audited, as
a download nobody caches), and the documents that come with an answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Action, AuditEvent
from documents.models import Document, ScanStatus
from referrals.models import Attachment, InformationRequest
from referrals.services.triage import request_information
from tests.conftest import client_for, submit
from tests.documents.files import EICAR, INFECTED_DOCX, PDF, PNG

pytestmark = pytest.mark.usefixtures("document_store")


def a_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def add(client: Any, reference: str, name: str, data: bytes) -> Any:
    return client.post(
        f"/referrals/{reference}/documents/add/", {"file": a_file(name, data)}, follow=True
    )


def attachment_named(name: str) -> Attachment:
    return Attachment.objects.select_related("document").get(document__name=name)


def test_a_health_visitor_adds_a_body_map_and_a_letter_and_the_front_door_opens_them(world):
    referral = submit(world.hv)
    hv = client_for(world.hv)
    page = hv.get(f"/referrals/{referral.reference}/documents/add/").content.decode()
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page

    page = add(hv, referral.reference, "Body map.png", PNG).content.decode()
    assert "Body map.png has been added." in page
    add(hv, referral.reference, "GP letter.pdf", PDF)

    mash = client_for(world.mash)
    page = mash.get(f"/referrals/{referral.reference}/").content.decode()
    body_map, letter = attachment_named("Body map.png"), attachment_named("GP letter.pdf")
    assert f'href="/documents/{body_map.pk}/"' in page
    assert f'href="/documents/{letter.pk}/"' in page
    assert "Hannah Vale added Body map.png" in page

    response = mash.get(f"/documents/{body_map.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Body map.png"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    opened = AuditEvent.objects.get(action=Action.VIEWED, detail__page="document")
    assert (opened.actor, opened.object_ref) == (world.mash, referral.reference)
    assert opened.detail["document"] == body_map.pk

    response = mash.get(f"/documents/{letter.pk}/")
    assert response.getvalue() == PDF
    assert response["Content-Type"] == "application/pdf"


def test_eicar_is_refused_on_the_page_and_kept_out_of_storage(world, document_store: Path):
    referral = submit(world.hv)
    response = add(client_for(world.hv), referral.reference, "body map.png", EICAR)
    html = response.content.decode()
    assert "<title>Error: Add a document - Front Door</title>" in html
    assert 'href="#id_file">The selected file contains a virus' in html
    assert "govuk-file-upload--error" in html
    assert not Document.objects.exists()
    assert not document_store.exists() or not any(document_store.rglob("*.*"))
    refused = AuditEvent.objects.get(action=Action.REFUSED)
    assert refused.object_ref == referral.reference
    assert refused.detail["reason"] == "virus found"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("letter.pdf", b"not a letter at all", "The selected file must be a PDF, JPG, PNG"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_file_that_is_not_accepted_gets_a_clear_error(world, name, data, message):
    referral = submit(world.hv)
    html = add(client_for(world.hv), referral.reference, name, data).content.decode()
    assert f'href="#id_file">{message}' in html
    assert not Attachment.objects.exists()


def test_choosing_no_file_says_select_a_file(world):
    referral = submit(world.hv)
    html = (
        client_for(world.hv)
        .post(f"/referrals/{referral.reference}/documents/add/", {})
        .content.decode()
    )
    assert 'href="#id_file">Select a file</a>' in html


def test_someone_who_may_not_see_the_referral_cannot_open_its_document_and_is_audited(world):
    referral = submit(world.hv)
    add(client_for(world.hv), referral.reference, "Body map.png", PNG)
    body_map = attachment_named("Body map.png")
    for person in (world.outsider, world.gp):
        response = client_for(person).get(f"/documents/{body_map.pk}/")
        assert response.status_code == 404
        assert b"Body map" not in response.content
    refusals = AuditEvent.objects.filter(action=Action.REFUSED, object_ref=referral.reference)
    assert {event.actor for event in refusals} == {world.outsider, world.gp}
    assert not AuditEvent.objects.filter(action=Action.VIEWED, detail__page="document").exists()
    # A made-up number is the same 404.
    assert client_for(world.outsider).get("/documents/999999/").status_code == 404


def test_another_agency_cannot_add_a_document_to_a_referral_it_cannot_see(world):
    referral = submit(world.hv)
    response = add(client_for(world.gp), referral.reference, "x.png", PNG)
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_the_front_door_adds_a_document_the_referrer_can_open(world):
    referral = submit(world.hv)
    add(client_for(world.mash), referral.reference, "Strategy notes.pdf", PDF)
    notes = attachment_named("Strategy notes.pdf")
    assert client_for(world.hv).get(f"/documents/{notes.pk}/").status_code == 200


def test_a_document_waiting_for_its_scan_cannot_be_opened(world, clamd_down):
    referral = submit(world.hv)
    page = add(client_for(world.hv), referral.reference, "Body map.png", PNG).content.decode()
    assert "waiting for a virus check" in page
    body_map = attachment_named("Body map.png")
    assert body_map.document.status == ScanStatus.WAITING
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Body map.png" in page and f'href="/documents/{body_map.pk}/"' not in page
    assert client_for(world.mash).get(f"/documents/{body_map.pk}/").status_code == 404


def test_a_referral_takes_documents_up_to_its_limit_and_no_more(world, settings):
    settings.DOCUMENTS_PER_REFERRAL = 2
    referral = submit(world.hv)
    hv = client_for(world.hv)
    add(hv, referral.reference, "one.png", PNG)
    add(hv, referral.reference, "two.png", PNG)
    html = add(hv, referral.reference, "three.png", PNG).content.decode()
    assert "A referral can have up to 2 documents. This one has 2" in html
    assert Attachment.objects.filter(referral=referral).count() == 2


def ask_the_gp(world: Any) -> tuple[Any, InformationRequest]:
    referral = submit(world.hv)
    info = request_information(
        referral=referral,
        actor=world.mash,
        question="When did you last see him?",
        to_agency=world.agency_b,
    )
    return referral, info


def test_a_partner_agency_sends_a_document_with_its_answer(world):
    referral, info = ask_the_gp(world)
    gp = client_for(world.gp)
    page = gp.get(f"/questions/{info.pk}/").content.decode()
    assert 'type="file"' in page
    gp.post(
        f"/questions/{info.pk}/",
        {"answer": "Seen on 3 November.", "file": a_file("Consultation.pdf", PDF)},
    )
    info.refresh_from_db()
    assert info.answer == "Seen on 3 November."
    letter = attachment_named("Consultation.pdf")
    assert letter.information_request == info and letter.front_door_only
    # The front door and the agency that sent it can open it; the referrer
    # sees neither the answer nor the document of another agency.
    assert client_for(world.mash).get(f"/documents/{letter.pk}/").status_code == 200
    assert gp.get(f"/documents/{letter.pk}/").status_code == 200
    assert "Consultation.pdf" in gp.get(f"/questions/{info.pk}/").content.decode()
    hv_page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Consultation.pdf" not in hv_page
    assert client_for(world.hv).get(f"/documents/{letter.pk}/").status_code == 404


def test_an_infected_file_with_an_answer_keeps_what_was_typed(world):
    _, info = ask_the_gp(world)
    response = client_for(world.gp).post(
        f"/questions/{info.pk}/",
        {"answer": "Seen on 3 November.", "file": a_file("notes.docx", INFECTED_DOCX)},
    )
    html = response.content.decode()
    assert 'href="#id_file">The selected file contains a virus' in html
    assert "Seen on 3 November.</textarea>" in html
    info.refresh_from_db()
    assert info.is_open and info.answer == ""
    assert not Attachment.objects.exists()


def test_the_referrer_answers_with_a_document_the_front_door_opens(world):
    referral = submit(world.hv)
    info = request_information(referral=referral, actor=world.mash, question="Any photos?")
    client_for(world.hv).post(
        f"/referrals/{referral.reference}/questions/{info.pk}/answer/",
        {"answer": "Yes, attached.", "file": a_file("photo.png", PNG)},
    )
    photo = attachment_named("photo.png")
    assert not photo.front_door_only
    assert client_for(world.mash).get(f"/documents/{photo.pk}/").status_code == 200
