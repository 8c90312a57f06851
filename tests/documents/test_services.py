"""Receiving a file and getting it scanned, against the real clamd; "clamd
down" is a socket nothing listens on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Action, AuditEvent
from documents.checks import DocumentRefused
from documents.clamav import ScannerUnavailable
from documents.models import Document, ScanStatus
from documents.services import receive_file, scan_waiting_documents, store_document
from tests.documents.files import DOCX, EICAR, INFECTED_DOCX, PDF, PNG


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def receive(user: Any, name: str, data: bytes) -> Any:
    return receive_file(
        upload=upload(name, data), actor=user, object_type="referral", object_ref="FD-TEST"
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_clean_pdf_is_stored_and_may_be_opened(world: Any, document_store: Path) -> None:
    document = store_document(received=receive(world.hv, "letter.pdf", PDF), actor=world.hv)
    assert document.status == ScanStatus.CLEAN
    assert document.may_be_opened
    assert document.file.read() == PDF
    # The key in storage is the random id alone: nothing of the name.
    assert "letter" not in document.file.name
    assert str(document.pk) in document.file.name


def test_eicar_is_refused_audited_and_never_stored(world: Any, document_store: Path) -> None:
    with pytest.raises(DocumentRefused, match="contains a virus"):
        receive(world.hv, "body map.png", EICAR)
    assert Document.objects.count() == 0
    assert stored_files(document_store) == []
    event = AuditEvent.objects.get(action=Action.REFUSED)
    assert event.object_ref == "FD-TEST"
    assert event.detail["reason"] == "virus found"


def test_a_word_document_hiding_a_virus_is_refused(world: Any, document_store: Path) -> None:
    with pytest.raises(DocumentRefused, match="contains a virus"):
        receive(world.hv, "chronology.docx", INFECTED_DOCX)
    assert stored_files(document_store) == []


def test_a_clean_word_document_is_accepted(world: Any, document_store: Path) -> None:
    received = receive(world.hv, "chronology.doc", DOCX)
    assert received.checked.name == "chronology.docx"


def test_a_wrong_kind_of_file_is_refused_before_anything_is_stored(
    world: Any, document_store: Path
) -> None:
    with pytest.raises(DocumentRefused, match="must be a PDF"):
        receive(world.hv, "letter.pdf", b"just some text, not a letter")
    assert stored_files(document_store) == []


def real_clamd(settings: Any) -> None:
    settings.CLAMAV_URL = "unix://" + str(Path(settings.VAR_DIR) / "clamav" / "clamd.sock")


def test_a_file_waits_while_clamd_is_down_then_is_scanned(
    world: Any, document_store: Path, settings: Any, clamd_down: None
) -> None:
    received = receive(world.hv, "map.png", PNG)
    assert received.scan is None
    document = store_document(received=received, actor=world.hv)
    assert document.status == ScanStatus.WAITING
    assert not document.may_be_opened

    with pytest.raises(ScannerUnavailable):
        scan_waiting_documents()
    document.refresh_from_db()
    assert document.status == ScanStatus.WAITING

    real_clamd(settings)
    assert scan_waiting_documents() == {"clean": 1, "infected": 0}
    document.refresh_from_db()
    assert document.status == ScanStatus.CLEAN
    assert document.may_be_opened
    assert scan_waiting_documents() == {"clean": 0, "infected": 0}


def test_an_infected_file_found_after_waiting_is_removed(
    world: Any,
    document_store: Path,
    settings: Any,
    clamd_down: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    document = store_document(
        received=receive(world.hv, "chronology.docx", INFECTED_DOCX), actor=world.hv
    )
    assert len(stored_files(document_store)) == 1

    real_clamd(settings)
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_waiting_documents() == {"clean": 0, "infected": 1}
    document.refresh_from_db()
    assert document.status == ScanStatus.INFECTED
    assert "Eicar" in document.signature
    assert not document.may_be_opened
    assert stored_files(document_store) == []
    assert AuditEvent.objects.filter(action=Action.REFUSED, object_ref=str(document.pk)).exists()
