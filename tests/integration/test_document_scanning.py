"""A real Celery worker scans a document that arrived while clamd was down,
once clamd answers again (the real clamd that `make test` starts)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import ScanStatus
from documents.services import receive_file, store_document
from tests.documents.files import INFECTED_DOCX, PNG
from tests.integration.test_worker_and_beat import database_url, start, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_documents_wait_while_clamd_is_down_and_are_scanned_when_it_is_back(
    world, tmp_path, document_store: Path, settings_for_clamd_down: Path
):
    received = [
        receive_file(
            upload=SimpleUploadedFile(name, data),
            actor=world.hv,
            object_type="referral",
            object_ref="FD-TEST",
        )
        for name, data in (("Body map.png", PNG), ("chronology.docx", INFECTED_DOCX))
    ]
    assert [r.scan for r in received] == [None, None]
    clean, infected = (store_document(received=r, actor=world.hv) for r in received)
    assert clean.status == infected.status == ScanStatus.WAITING

    queue = f"frontdoor-test-documents-{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CLAMAV_URL": f"unix://{settings_for_clamd_down}",
        "DOCUMENTS_ROOT": str(document_store),
        "DOCUMENT_SCAN_RETRY_SECONDS": "1",
    }
    worker = start(
        [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "-n",
            f"documents-{os.getpid()}@%h",
        ],
        env,
        tmp_path / "worker.log",
    )
    try:
        current_app.send_task("documents.tasks.scan_waiting_documents", queue=queue)
        log = tmp_path / "worker.log"
        wait_for(
            lambda: log.read_text().count("still waiting for a virus scan") >= 2,
            timeout=60,
            what="the worker to find clamd down and try again",
        )
        clean.refresh_from_db()
        assert clean.status == ScanStatus.WAITING

        # clamd is back: the socket the worker was told about now leads to it.
        settings_for_clamd_down.symlink_to(Path(settings.VAR_DIR) / "clamav" / "clamd.sock")
        wait_for(
            lambda: not type(clean).objects.filter(status=ScanStatus.WAITING).exists(),
            timeout=60,
            what="the worker to scan the waiting documents",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert clean.status == ScanStatus.CLEAN and clean.may_be_opened
    assert infected.status == ScanStatus.INFECTED and not infected.file
    assert [p.name for p in document_store.rglob("*") if p.is_file()] == [str(clean.pk)]


@pytest.fixture
def settings_for_clamd_down(settings, tmp_path: Path) -> Path:
    """A socket path where clamd is not (yet) listening, for this process and the worker."""
    path = tmp_path / "clamd.sock"
    settings.CLAMAV_URL = f"unix://{path}"
    return path
