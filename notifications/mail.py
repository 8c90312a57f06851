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
from typing import Any

from django.core.mail.backends.smtp import EmailBackend

from notifications.deadline import current_deadline


class _BoundedSMTP(smtplib.SMTP):
    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        _bound(self)
        return super().connect(host, port, source_address)


class _BoundedSMTPSSL(smtplib.SMTP_SSL):
    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        _bound(self)
        return super().connect(host, port, source_address)


def _bound(smtp: smtplib.SMTP) -> None:
    """Connect within the time left (the socket's timeout), and be watched by
    the deadline, which shuts whatever socket the connection has when the
    time is up."""
    deadline = current_deadline()
    if deadline is not None:
        smtp.timeout = deadline.timeout(smtp.timeout)
        deadline.watch(smtp)


class SMTPBackend(EmailBackend):
    @property
    def connection_class(self) -> Any:
        return _BoundedSMTPSSL if self.use_ssl else _BoundedSMTP
