"""What a file must be before it is stored, judged by its content."""

from __future__ import annotations

import pytest
from django.conf import settings

from documents.checks import DocumentRefused, check_file, safe_name, size_in_words
from tests.documents.files import PDF, PNG, PROGRAM


def test_a_pdf_is_accepted_as_a_pdf() -> None:
    checked = check_file(original_name="Chronology.pdf", size=len(PDF), head=PDF)
    assert (checked.name, checked.content_type) == ("Chronology.pdf", "application/pdf")


def test_the_name_gets_the_extension_of_what_the_file_really_is() -> None:
    checked = check_file(original_name="body map.pdf", size=len(PNG), head=PNG)
    assert (checked.name, checked.content_type) == ("body map.png", "image/png")


def test_a_program_called_a_pdf_is_refused() -> None:
    with pytest.raises(DocumentRefused, match="must be a PDF, JPG, PNG or HEIC image"):
        check_file(original_name="letter.pdf", size=len(PROGRAM), head=PROGRAM)


def test_plain_text_is_refused() -> None:
    with pytest.raises(DocumentRefused, match="must be a PDF"):
        check_file(original_name="notes.docx", size=5, head=b"hello")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(DocumentRefused, match="The selected file is empty"):
        check_file(original_name="a.pdf", size=0, head=b"")


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_refused() -> None:
    limit = settings.DOCUMENT_MAX_BYTES
    assert check_file(original_name="a.pdf", size=limit, head=PDF).name == "a.pdf"
    with pytest.raises(DocumentRefused, match="must be smaller than 20MB$"):
        check_file(original_name="a.pdf", size=limit + 1, head=PDF)


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\hv\\Body map.PDF", "Body map.pdf"),
        ('<script>alert("x")</script>.pdf', "script.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "img src-x onerror-alert(1).pdf"),
        (".htaccess", "htaccess.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
        ("line\nbreak\u202eevil.pdf", "linebreakevil.pdf"),
        ("Zoë’s letter.pdf", "Zoë-s letter.pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_names_are_made_safe(original: str, expected: str) -> None:
    assert safe_name(original, "pdf") == expected


@pytest.mark.parametrize(
    ("size", "words"),
    [(20 * 1024 * 1024, "20MB"), (1536 * 1024, "1.5MB"), (500 * 1024, "500KB"), (10, "10 bytes")],
)
def test_limits_are_written_as_govuk_writes_them(size: int, words: str) -> None:
    assert size_in_words(size) == words
