"""Receiving a document and getting it scanned.

A file is checked (documents.checks) and scanned by ClamAV before anything
is stored. Then:
1. clean: stored, and may be opened at once;
2. infected: refused with a clear message, the refusal audited, and nothing
   stored;
3. clamd could not be reached: stored as waiting, which no one may open;
   scan_waiting_documents (queued on commit, and every minute from beat)
   scans it when clamd is back, and removes the file if it is infected.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import TASK, WEB, Origin, record_event
from documents.checks import CheckedFile, DocumentRefused, check_size, check_type, safe_name
from documents.clamav import ScannerUnavailable, ScanResult, scan_bytes
from documents.models import Document, ScanStatus

logger = logging.getLogger(__name__)

VIRUS_FOUND = (
    "The selected file contains a virus and has not been saved. Do not send it again: "
    "ask the person who gave it to you for a clean copy"
)
SCAN_TASK = "documents.tasks.scan_waiting_documents"


@dataclass(frozen=True)
class ReceivedFile:
    """An upload that passed the checks and was not found infected."""

    checked: CheckedFile
    data: bytes
    sha256: str
    scan: ScanResult | None  # None: clamd could not be reached; it waits


def receive_file(
    *,
    upload: UploadedFile,
    actor: User | AnonymousUser,
    object_type: str,
    object_ref: str,
    origin: Origin = WEB,
) -> ReceivedFile:
    """Check and scan an upload; nothing is written but the audit of a refusal.
    Raises DocumentRefused with the message for the person who chose it."""
    # Size first (nothing is read of a file too big); then the scan, so that
    # a virus is reported as a virus whatever it pretends to be; then the type.
    check_size(upload.size or 0)
    data = upload.read()
    try:
        scan: ScanResult | None = scan_bytes(data)
    except ScannerUnavailable as exc:
        logger.warning("A document will wait for its virus scan: %s", exc)
        scan = None
    if scan is not None and scan.infected:
        record_event(
            actor=actor,
            action=Action.REFUSED,
            object_type=object_type,
            object_ref=object_ref,
            origin=origin,
            detail={
                "reason": "virus found",
                "signature": scan.signature,
                "file": safe_name(upload.name or "", "")[:-1],
            },
        )
        raise DocumentRefused(VIRUS_FOUND)
    checked = check_type(original_name=upload.name or "", head=data)
    return ReceivedFile(
        checked=checked, data=data, sha256=hashlib.sha256(data).hexdigest(), scan=scan
    )


def store_document(*, received: ReceivedFile, actor: User) -> Document:
    """Store a received file (in the caller's transaction); a waiting one is
    scanned once the transaction commits."""
    now = timezone.now()
    document = Document(
        id=uuid.uuid4(),
        name=received.checked.name,
        content_type=received.checked.content_type,
        size=len(received.data),
        sha256=received.sha256,
        status=ScanStatus.CLEAN if received.scan is not None else ScanStatus.WAITING,
        uploaded_by=actor,
        uploaded_at=now,
        scanned_at=now if received.scan is not None else None,
        scan_attempts=1,
    )
    # The key is the random id alone: nothing of the name reaches storage.
    document.file.save(
        f"documents/{now:%Y/%m}/{document.id}", ContentFile(received.data), save=False
    )
    document.save()
    if document.status == ScanStatus.WAITING:
        transaction.on_commit(nudge_scanner, robust=True)
    return document


_broker_down_until = 0.0
BROKER_BACKOFF_SECONDS = 30.0


def nudge_scanner() -> None:
    """Ask a worker to scan waiting documents now; if the broker is down,
    beat's run every minute does it later."""
    global _broker_down_until
    from celery import current_app

    if time.monotonic() < _broker_down_until:
        return
    try:
        current_app.send_task(SCAN_TASK, retry=False)
    except Exception:  # noqa: BLE001 - a broker failure must not reach the user
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Could not reach the task broker; documents will be scanned later")


def scan_document(document: Document) -> str:
    """Scan one waiting document; returns its status afterwards. Raises
    ScannerUnavailable if clamd is still down. Safe to run twice at once:
    the result is written by a conditional update from waiting."""
    with document.file.open("rb") as handle:
        data = handle.read()
    result = scan_bytes(data)
    now = timezone.now()
    waiting = Document.objects.filter(pk=document.pk, status=ScanStatus.WAITING)
    if not result.infected:
        waiting.update(
            status=ScanStatus.CLEAN, scanned_at=now, scan_attempts=document.scan_attempts + 1
        )
        return ScanStatus.CLEAN
    with transaction.atomic():
        if waiting.update(
            status=ScanStatus.INFECTED,
            signature=result.signature[:200],
            scanned_at=now,
            file="",
        ):
            record_event(
                actor=None,
                action=Action.REFUSED,
                object_type="document",
                object_ref=str(document.pk),
                origin=TASK,
                detail={
                    "reason": "virus found",
                    "signature": result.signature,
                    "file": document.name,
                },
            )
            transaction.on_commit(partial(document.file.storage.delete, document.file.name))
    return ScanStatus.INFECTED


def scan_waiting_documents(*, limit: int = 200) -> dict[str, int]:
    """Scan the documents waiting longest first. Stops at the first sign that
    clamd is down (raising ScannerUnavailable) so a retry starts again."""
    counts: dict[str, int] = {ScanStatus.CLEAN: 0, ScanStatus.INFECTED: 0}
    for document in Document.objects.filter(status=ScanStatus.WAITING).order_by("uploaded_at")[
        :limit
    ]:
        counts[scan_document(document)] += 1
    return counts


__all__ = [
    "DocumentRefused",
    "ReceivedFile",
    "receive_file",
    "scan_document",
    "scan_waiting_documents",
    "store_document",
]
