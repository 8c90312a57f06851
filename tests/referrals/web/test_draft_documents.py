"""Documents added while a referral is written: the author's alone until it
is sent, then the referral's; gone with a deleted draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from referrals.models import Attachment, Referral, ReferralEvent
from referrals.services.drafts import start_draft
from tests.conftest import a_document, client_for
from tests.documents.files import EICAR, PNG

pytestmark = pytest.mark.usefixtures("document_store")


def add_to_draft(client, draft, name: str, data: bytes):  # noqa: ANN001, ANN201
    return client.post(
        f"/referrals/drafts/{draft.pk}/documents/add/",
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_a_document_on_a_draft_is_sent_with_the_referral(world):
    draft = start_draft(author=world.hv, prefill=a_document())
    hv = client_for(world.hv)
    page = add_to_draft(hv, draft, "Body map.png", PNG).content.decode()
    assert "Body map.png has been added. It will be sent with the referral." in page
    assert "Check your answers before sending" in page
    body_map = Attachment.objects.get(draft=draft)
    assert hv.get(f"/documents/{body_map.pk}/").status_code == 200
    # Until it is sent, nobody else can open it, the front door included.
    assert client_for(world.mash).get(f"/documents/{body_map.pk}/").status_code == 404
    assert client_for(world.gp).get(f"/documents/{body_map.pk}/").status_code == 404

    response = hv.post(f"/referrals/drafts/{draft.pk}/check/")
    assert response.status_code == 302
    referral = Referral.objects.get()
    body_map.refresh_from_db()
    assert (body_map.referral, body_map.draft) == (referral, None)
    assert client_for(world.mash).get(f"/documents/{body_map.pk}/").status_code == 200
    assert ReferralEvent.objects.filter(
        referral=referral, summary="Sent with Body map.png"
    ).exists()


def test_eicar_is_refused_on_the_draft_too(world):
    draft = start_draft(author=world.hv, prefill=a_document())
    html = add_to_draft(client_for(world.hv), draft, "map.png", EICAR).content.decode()
    assert 'href="#id_file">The selected file contains a virus' in html
    assert not Attachment.objects.exists()


def test_nobody_else_can_add_to_a_draft(world):
    draft = start_draft(author=world.hv, prefill=a_document())
    assert add_to_draft(client_for(world.gp), draft, "map.png", PNG).status_code == 404
    assert not Attachment.objects.exists()


def test_deleting_a_draft_deletes_its_documents_and_files(
    world, document_store: Path, django_capture_on_commit_callbacks
):
    draft = start_draft(author=world.hv, prefill=a_document())
    hv = client_for(world.hv)
    add_to_draft(hv, draft, "map.png", PNG)
    assert any(p.is_file() for p in document_store.rglob("*"))
    with django_capture_on_commit_callbacks(execute=True):
        hv.post(f"/referrals/drafts/{draft.pk}/delete/", {"confirm": "yes"})
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in document_store.rglob("*"))
