"""Documents attached to a referral, to a draft (until it is sent), or to an
answer to one of the front door's questions. The file and its virus scan
are documents.Document; this row says whose it is and who may see it
(referrals.selectors.access)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from referrals.models.referral import Referral
from referrals.models.triage import InformationRequest


class Attachment(models.Model):
    # Empty while the document is on a draft: sending the draft moves it to
    # the referral (referrals.services.submit), in the same transaction.
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    # Deleting a draft deletes these rows; its services delete the documents.
    draft = models.ForeignKey(
        "referrals.Draft",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # Set when the document came with an answer to a question.
    information_request = models.ForeignKey(
        InformationRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # PROTECT: a document goes with its referral through retention
    # (privacy.retention), which removes the file from storage too.
    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="attachment"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    # What another agency sent in answer to the front door: like that
    # agency's answer itself, not shown to the referrer's side.
    front_door_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.document} on {self.referral}"
