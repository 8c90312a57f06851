"""The file upload, on its own page and with an answer to the front door's
question; the API checks uploads with the same forms.

Checking a file means scanning it (documents.services.receive_file): a form
that is valid holds the file as received, ready for the service to store."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User

from audit.services import WEB, Origin
from core.forms import GovukForm
from documents.checks import ACCEPT_ATTRIBUTE, DocumentRefused, size_in_words
from documents.services import ReceivedFile, receive_file
from referrals.forms.triage import InformationAnswerForm


def file_hint() -> str:
    limit = size_in_words(settings.DOCUMENT_MAX_BYTES)
    return (
        "A PDF, a photo (JPG, PNG or HEIC) or a Word, Excel, PowerPoint or OpenDocument file, "
        f"smaller than {limit}. It is checked for viruses before anyone can open it."
    )


def file_field(*, required: bool, label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        allow_empty_file=True,  # documents.checks says "The selected file is empty"
        error_messages={"required": "Select a file", "invalid": "Select a file"},
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class ReceivesFile:
    """Scans the chosen file as part of checking the form. The refusal of an
    infected file is audited against `object_ref` (the referral)."""

    received: ReceivedFile | None = None
    actor: User | AnonymousUser
    object_ref: str
    origin: Origin

    def __init__(
        self,
        *args: Any,
        actor: User | AnonymousUser,
        object_ref: str,
        origin: Origin = WEB,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_hint()  # type: ignore[attr-defined]
        self.actor = actor
        self.object_ref = object_ref
        self.origin = origin

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")  # type: ignore[attr-defined]
        if upload is None:
            return None
        try:
            self.received = receive_file(
                upload=upload,
                actor=self.actor,
                object_type="referral",
                object_ref=self.object_ref,
                origin=self.origin,
            )
        except DocumentRefused as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload

    @property
    def files_received(self) -> list[ReceivedFile]:
        return [self.received] if self.received is not None else []


class AttachmentForm(ReceivesFile, GovukForm):
    file = file_field(required=True, label="Upload a file")


class AnswerWithDocumentForm(ReceivesFile, InformationAnswerForm):
    file = file_field(required=False, label="Upload a file (optional)")
