"""Sending email through an SMTP relay within each delivery's deadline.

`SMTPBackend` is Django's SMTP backend whose connections are bounded by the
delivery deadline of the message being sent (notifications.deadline):
connecting waits at most the time left, and the open connection is shut when
the deadline passes, so a relay that hangs or trickles costs one deadline,
not a worker. Configured as EMAIL_BACKEND (the settings use it in place of
Django's own SMTP backend).
"""

from __future__ import annotations

import smtplib
import socket
from typing import Any

from django.core.mail.backends.smtp import EmailBackend

from notifications.deadline import current_deadline


class _Bounded:
    """Connect within the time left, then be watched by the deadline."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        deadline = current_deadline()
        if deadline is not None:
            timeout = deadline.timeout(timeout)
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        if deadline is not None:
            self.sock = sock
            deadline.watch(self)
        return sock


class _BoundedSMTP(_Bounded, smtplib.SMTP):
    pass


class _BoundedSMTPSSL(_Bounded, smtplib.SMTP_SSL):
    pass


class SMTPBackend(EmailBackend):
    @property
    def connection_class(self) -> Any:  # type: ignore[override]
        return _BoundedSMTPSSL if self.use_ssl else _BoundedSMTP
