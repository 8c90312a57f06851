from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from documents.clamav import ScannerUnavailable
from documents.services import scan_waiting_documents as scan_waiting

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="documents.tasks.scan_waiting_documents", max_retries=None)
def scan_waiting_documents(self: Task) -> dict[str, int]:
    """Scan documents that arrived while clamd was down. While it is still
    down, try again in DOCUMENT_SCAN_RETRY_SECONDS (beat runs this every minute too)."""
    try:
        counts = scan_waiting()
    except ScannerUnavailable as exc:
        logger.warning("Documents still waiting for a virus scan: %s", exc)
        raise self.retry(exc=exc, countdown=settings.DOCUMENT_SCAN_RETRY_SECONDS) from exc
    if any(counts.values()):
        logger.info("Scanned waiting documents: %s", counts)
    return counts
