"""A wall-clock limit on one delivery, whatever the other end does.

A per-read timeout does not bound a delivery: a mail server that accepts the
connection and answers one byte every few seconds, or a webhook endpoint that
trickles its reply, never lets a single read time out, and held a worker for
minutes. Inside `DeliveryDeadline`, every connection a delivery opens is
watched (the SMTP and HTTP clients here register theirs); when the time is
up, a timer shuts the connection's socket down, which makes the blocked read
fail at once, and the delivery raises `DeliveryTimedOut`.

Connecting is a single step whose timeout is set to the time left, so it is
bounded too (`DeliveryDeadline.timeout`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any, Protocol

_current = threading.local()


class DeliveryTimedOut(OSError):
    """The other end did not finish within the delivery's deadline."""


class _HasSocket(Protocol):
    sock: Any


class DeliveryDeadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self._watched: list[_HasSocket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self.expired = False

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def timeout(self, per_step: float) -> float:
        """A timeout for one step (connecting, one read): the step's own, or
        the time left if that is shorter. Never zero, which would mean
        non-blocking."""
        return max(0.05, min(per_step, self.remaining()))

    def watch(self, connection: _HasSocket) -> None:
        """Shut this connection's current socket down when the time is up
        (its socket may be replaced, e.g. by STARTTLS; the one it has then is
        the one shut)."""
        with self._lock:
            self._watched.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for connection in watched:
            _shut(connection)

    def __enter__(self) -> DeliveryDeadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        _current.deadline = self._outer
        out_of_time = self.expired or self.remaining() <= 0.05
        if exc is not None and out_of_time and isinstance(exc, Exception):
            raise DeliveryTimedOut(f"no complete answer within {self.seconds:g} s") from exc


def current_deadline() -> DeliveryDeadline | None:
    """The deadline of the delivery running in this thread, if any."""
    return getattr(_current, "deadline", None)


def _shut(connection: _HasSocket) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
