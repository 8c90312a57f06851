"""Talking to ClamAV's daemon (clamd) with its INSTREAM command.

The protocol is four lines of code: `zINSTREAM\\0`, then the file in chunks
each led by its length as a 4-byte big-endian number, then a zero length;
clamd answers `stream: OK`, `stream: <signature> FOUND` or `... ERROR`. The
Python clients on PyPI are unmaintained (the newest is from 2017), so we speak
it ourselves. CLAMAV_URL says where clamd listens: `unix:///path/clamd.sock`
or `tcp://host:3310`.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or could not scan: the file waits."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def _connect() -> socket.socket:
    url = urlsplit(settings.CLAMAV_URL)
    timeout = settings.CLAMAV_TIMEOUT_SECONDS
    try:
        if url.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(url.path)
            return sock
        if url.scheme == "tcp":
            return socket.create_connection((url.hostname, url.port or 3310), timeout=timeout)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd is not answering at {settings.CLAMAV_URL}") from exc
    raise ScannerUnavailable(f"CLAMAV_URL must start unix:// or tcp://, not {url.scheme}")


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    """Whether clamd answers."""
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _read_reply(sock) == "PONG"
    except (ScannerUnavailable, OSError):
        return False


def scan_bytes(data: bytes) -> ScanResult:
    """Scan a file's bytes. Raises ScannerUnavailable when clamd is down, or
    answers with an error (a file over its StreamMaxLength, for one)."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = _read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd stopped answering: {exc}") from exc
    if reply.endswith(" OK"):
        return ScanResult(infected=False)
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(infected=True, signature=signature)
    raise ScannerUnavailable(f"clamd could not scan the file: {reply or 'no answer'}")
