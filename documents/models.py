"""A document someone attached: the file in storage (never at a public URL),
what it is, and whether ClamAV has passed it. Knows nothing of referrals:
referrals.models.Attachment says what each document belongs to."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject, empty


class DocumentStorage(LazyObject):
    """The "documents" storage (STORAGES in settings): files on disk under
    var/ by default, a private S3-compatible bucket in production. Looked up
    when first used rather than when the model is defined, and again after
    STORAGES changes (documents.apps), so a test can keep files in its own
    folder."""

    def _setup(self) -> None:
        self._wrapped = storages["documents"]

    def reset(self) -> None:
        self._wrapped = empty  # type: ignore[assignment]  # LazyObject's "not set up yet"


documents_storage = DocumentStorage()


def document_storage() -> Storage:
    return cast(Storage, documents_storage)


class ScanStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a virus scan"
    CLEAN = "clean", "Checked for viruses"
    INFECTED = "infected", "Removed: a virus was found"


class Document(models.Model):
    # Random, so a document's storage key and URL say nothing and cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Empty once a file found infected after waiting has been removed.
    file = models.FileField(storage=document_storage, max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=ScanStatus.choices)
    signature = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [
            # Serves the scan of waiting documents (documents.services.scan_waiting_documents).
            models.Index(
                fields=["uploaded_at"],
                name="document_waiting_scan",
                condition=Q(status="waiting"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def may_be_opened(self) -> bool:
        return self.status == ScanStatus.CLEAN and bool(self.file)

    def delete_file(self, **kwargs: Any) -> None:
        """Remove the stored file (retention, an infected file)."""
        if self.file:
            self.file.delete(save=False)
