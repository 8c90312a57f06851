"""Attached documents in subject access exports, and removed by retention
with their referral."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Document
from documents.services import receive_file
from privacy.retention import apply_retention
from referrals.models import Attachment, Draft
from referrals.services.attachments import attach_to_draft, attach_to_referral
from referrals.services.drafts import start_draft
from tests.conftest import client_for, submit
from tests.documents.files import PDF, PNG
from tests.privacy.test_retention import decided, rules  # noqa: F401 - rules is a fixture

pytestmark = pytest.mark.usefixtures("document_store")
NHS = "943 476 5919"


def attach(referral: Any, actor: Any, name: str, data: bytes) -> Attachment:
    received = receive_file(
        upload=SimpleUploadedFile(name, data),
        actor=actor,
        object_type="referral",
        object_ref=referral.reference,
    )
    return attach_to_referral(referral=referral, received=received, actor=actor)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_export_is_a_zip_with_the_record_and_the_documents(world):
    referral = submit(world.hv, child={"nhs_number": NHS})
    body_map = attach(referral, world.hv, "Body map.png", PNG)
    attach(referral, world.mash, "Notes.pdf", PDF)

    response = client_for(world.admin).post("/front-door/subject-access/", {"nhs_number": NHS})

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    export = json.loads(archive.read("subject-access.json"))
    [entry] = export["referrals"]
    documents = {d["name"]: d for d in entry["documents"]}
    assert set(documents) == {"Body map.png", "Notes.pdf"}
    assert documents["Body map.png"]["added_by"] == world.hv.username
    assert documents["Body map.png"]["third_party"] is True
    path = f"documents/{referral.reference}/{body_map.pk}-Body map.png"
    assert documents["Body map.png"]["file"] == path
    assert archive.read(path) == PNG


def test_an_export_without_documents_is_still_the_json_file(world):
    submit(world.hv, child={"nhs_number": NHS})
    response = client_for(world.admin).post("/front-door/subject-access/", {"nhs_number": NHS})
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["referrals"][0]["documents"] == []


def test_a_document_waiting_for_its_scan_is_listed_but_not_exported(world, clamd_down):
    referral = submit(world.hv, child={"nhs_number": NHS})
    attach(referral, world.hv, "Body map.png", PNG)
    response = client_for(world.admin).post("/front-door/subject-access/", {"nhs_number": NHS})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["subject-access.json"]
    [document] = json.loads(archive.read("subject-access.json"))["referrals"][0]["documents"]
    assert (document["virus_check"], document["file"]) == ("Waiting for a virus scan", None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("rules")
def test_retention_removes_documents_and_their_files_with_the_referral(world, document_store: Path):
    old = decided(world)
    recent = decided(world, when=timezone.now())
    attach(old, world.hv, "Old body map.png", PNG)
    kept = attach(recent, world.hv, "Recent letter.pdf", PDF)
    assert len(files_in(document_store)) == 2

    report = apply_retention(dry_run=False)

    assert report.referrals == [old.reference]
    assert list(Document.objects.values_list("name", flat=True)) == ["Recent letter.pdf"]
    assert [p.name for p in files_in(document_store)] == [str(kept.document.pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("rules")
def test_retention_removes_an_old_drafts_documents_and_files(world, document_store: Path):
    old = start_draft(author=world.hv)
    received = receive_file(
        upload=SimpleUploadedFile("map.png", PNG),
        actor=world.hv,
        object_type="draft",
        object_ref="",
    )
    attach_to_draft(draft=old, received=received, actor=world.hv)
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    assert len(files_in(document_store)) == 1

    assert apply_retention(dry_run=False).drafts == 1

    assert not Document.objects.exists()
    assert files_in(document_store) == []
