"""What a file must be before it is stored: not empty, not too big, one of
the kinds a referral needs (PDF, photos, Office documents), judged by its
content rather than its name, and with a name that is safe to show and to
offer for download."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import magic
from django.conf import settings

# What libmagic says a file is -> the extension its name is given. A file
# called body-map.exe that is a PNG is saved as body-map.png; a file called
# letter.pdf that is a program is refused.
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/rtf": "rtf",
}
ACCEPTED_KINDS = "a PDF, JPG, PNG or HEIC image, or a Word, Excel, PowerPoint or OpenDocument file"
# What the file upload's `accept` attribute offers; the content is what counts.
ACCEPT_ATTRIBUTE = ",".join(sorted({f".{ext}" for ext in ACCEPTED_TYPES.values()} | {".jpeg"}))

NAME_MAX = 100
_UNSAFE = re.compile(r"[^\w\s.()-]+")
_SPACES = re.compile(r"\s+")


class DocumentRefused(Exception):
    """The file cannot be accepted; the message says why, for the person who
    chose it (GOV.UK file upload error wording)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str


def content_type_of(data: bytes) -> str:
    """The file's type from its first bytes (libmagic), never from its name."""
    return magic.from_buffer(data[: 256 * 1024], mime=True)


def safe_name(original: str, extension: str) -> str:
    """A name safe to show, to store beside the file and to put in a
    Content-Disposition header: no folders, no control or markup characters,
    no leading dot, at most NAME_MAX characters, and the extension of what
    the file really is."""
    base = re.split(r"[\\/]", original or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = _SPACES.sub(" ", _UNSAFE.sub("-", stem)).strip(" .-_")
    stem = stem[: NAME_MAX - len(extension) - 1].rstrip(" .-_") or "document"
    return f"{stem}.{extension}"


def size_in_words(size: int) -> str:
    """A limit as GOV.UK writes one: 20MB, 500KB."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if size >= unit:
            amount = size / unit
            return f"{amount:.0f}{name}" if amount == int(amount) else f"{amount:.1f}{name}"
    return f"{size} bytes"


def check_size(size: int) -> None:
    """Refuse an empty or too large file."""
    if size == 0:
        raise DocumentRefused("The selected file is empty")
    if size > settings.DOCUMENT_MAX_BYTES:
        limit = size_in_words(settings.DOCUMENT_MAX_BYTES)
        raise DocumentRefused(f"The selected file must be smaller than {limit}")


def check_type(*, original_name: str, head: bytes) -> CheckedFile:
    """Refuse a kind of file a referral does not need; name what is accepted."""
    content_type = content_type_of(head)
    extension = ACCEPTED_TYPES.get(content_type)
    if extension is None:
        raise DocumentRefused(f"The selected file must be {ACCEPTED_KINDS}")
    return CheckedFile(name=safe_name(original_name, extension), content_type=content_type)


def check_file(*, original_name: str, size: int, head: bytes) -> CheckedFile:
    """Both checks, size first."""
    check_size(size)
    return check_type(original_name=original_name, head=head)
