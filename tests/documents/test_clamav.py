"""The INSTREAM client against the real clamd that `make test` starts
(bin/clamd-local)."""

from __future__ import annotations

import pytest

from documents.clamav import ScannerUnavailable, ping, scan_bytes
from tests.documents.files import EICAR, PDF, PNG


def test_clamd_is_running_for_the_tests() -> None:
    assert ping(), "start it with bin/clamd-local"


def test_the_eicar_test_file_is_found_infected() -> None:
    result = scan_bytes(EICAR)
    assert result.infected
    assert "Eicar" in result.signature


def test_a_file_sent_in_many_chunks_is_scanned_whole() -> None:
    # Over two INSTREAM chunks: clean, then the same with EICAR at its start.
    assert not scan_bytes(PDF + b" " * 150_000).infected
    assert scan_bytes(EICAR + b" " * 150_000).infected


@pytest.mark.parametrize("data", [PDF, PNG], ids=["pdf", "png"])
def test_clean_files_pass(data: bytes) -> None:
    assert not scan_bytes(data).infected


def test_a_scanner_that_is_not_answering_says_so(clamd_down: None) -> None:
    assert not ping()
    with pytest.raises(ScannerUnavailable):
        scan_bytes(PDF)
