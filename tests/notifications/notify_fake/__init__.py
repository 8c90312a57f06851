"""A local GOV.UK Notify, written to Notify's published API, for the tests.

We do not own Notify and cannot run it here, so this is the one thing in the
tests that stands in for a real service. It is a real HTTP server in a thread
(the portal's Notify client talks to it over loopback), and it keeps to the
parts of the API the portal uses (https://docs.notifications.service.gov.uk/rest-api.html):

- POST /v2/notifications/email and /v2/notifications/sms: 201 with the new
  message's id, reference, content and template; 400 `ValidationError` /
  `BadRequestError` for a bad address, an unknown template or a missing
  personalisation field; 403 `AuthError` for a bad or stale JSON Web Token
  (HS256, `iss` the service id, `iat` within 30 seconds); 429
  `RateLimitError`; 500 `Exception`. Errors in Notify's body:
  {"status_code": N, "errors": [{"error": "...", "message": "..."}]}.
- GET /v2/notifications?reference=...: the messages sent with that reference.
- `receipt(...)`: the body of Notify's delivery-receipt callback for a message.

Test controls: `rate_limited`, `failing` (500s), `down` (connections closed
unanswered), `take_then_drop` (keep the message, close without answering, as
when an answer is lost on the way), each for a number of requests or until
turned off; `bad_addresses` Notify will take but later report permanently
failed (the test sends that receipt).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UK_MOBILE_RE = re.compile(r"^(?:\+447|00447|447|07)\d{9}$")
PLACEHOLDER_RE = re.compile(r"\(\(([^)]+)\)\)")


@dataclass
class Template:
    id: str
    type: str  # "email" or "sms"
    subject: str
    body: str

    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER_RE.findall(self.subject + self.body))

    def render(self, text: str, values: dict[str, Any]) -> str:
        return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), "")), text)


@dataclass
class Sent:
    id: str
    type: str
    to: str
    template_id: str
    personalisation: dict[str, Any]
    reference: str | None
    subject: str
    body: str
    created_at: str
    status: str = "sending"


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    templates: dict[str, Template] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    # Controls: how many more requests get each treatment (-1: until reset).
    rate_limited: int = 0
    failing: int = 0
    down: int = 0
    take_then_drop: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- set-up -------------------------------------------------------------
    @property
    def api_key(self) -> str:
        return f"front_door_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_template(self, kind: str, subject: str, body: str) -> str:
        template_id = str(uuid.uuid4())
        self.templates[template_id] = Template(template_id, kind, subject, body)
        return template_id

    def start(self) -> FakeNotify:
        fake = self

        class Handler(_Handler):
            notify = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def heal(self) -> None:
        with self.lock:
            self.rate_limited = self.failing = self.down = self.take_then_drop = 0

    # --- what was sent, and its receipts ------------------------------------
    def to(self, address: str) -> list[Sent]:
        return [s for s in self.sent if s.to == address]

    def by_reference(self, reference: str) -> list[Sent]:
        return [s for s in self.sent if s.reference == reference]

    def receipt(
        self, message: Sent, status: str, *, at: dt.datetime | None = None
    ) -> dict[str, Any]:
        """The JSON body Notify POSTs to the service's callback URL."""
        message.status = status
        done = (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            "id": message.id,
            "reference": message.reference,
            "to": message.to,
            "status": status,
            "created_at": message.created_at,
            "completed_at": done,
            "sent_at": message.created_at,
            "notification_type": message.type,
            "template_id": message.template_id,
            "template_version": 1,
        }

    # --- the API ------------------------------------------------------------
    def _take(self, name: str) -> bool:
        with self.lock:
            left = getattr(self, name)
            if left == 0:
                return False
            if left > 0:
                setattr(self, name, left - 1)
            return True

    def authenticate(self, header: str) -> tuple[int, dict[str, Any]] | None:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"verify_iat": False, "require": ["iss", "iat"]},
            )
        except jwt.InvalidTokenError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims.get("iss") != self.service_id:
            return _error(403, "AuthError", "Invalid token: API key not found")
        if abs(time.time() - float(claims["iat"])) > 30:
            return _error(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )
        return None

    def send(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        address_field = "email_address" if kind == "email" else "phone_number"
        address = str(body.get(address_field, ""))
        compact = re.sub(r"[\s()-]", "", address)
        if kind == "email" and not EMAIL_RE.match(address):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        if kind == "sms" and not UK_MOBILE_RE.match(compact):
            return _error(400, "ValidationError", "phone_number Not a UK mobile number")
        template = self.templates.get(str(body.get("template_id", "")))
        if template is None or template.type != kind:
            return _error(400, "BadRequestError", "Template not found")
        values = body.get("personalisation") or {}
        missing = sorted(template.placeholders() - set(values))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        message = Sent(
            id=str(uuid.uuid4()),
            type=kind,
            to=address,
            template_id=template.id,
            personalisation=dict(values),
            reference=body.get("reference"),
            subject=template.render(template.subject, values),
            body=template.render(template.body, values),
            created_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
        with self.lock:
            self.sent.append(message)
        content: dict[str, Any] = {"body": message.body}
        if kind == "email":
            content.update(subject=message.subject, from_email="frontdoor@notifications.test")
        else:
            content["from_number"] = "FrontDoor"
        return 201, {
            "id": message.id,
            "reference": message.reference,
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{message.id}",
            "template": {
                "id": template.id,
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{template.id}",
            },
        }

    def search(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        references = query.get("reference")
        reference = references[0] if references else None
        found = [s for s in self.sent if reference is None or s.reference == reference]
        return 200, {
            "notifications": [
                {
                    "id": s.id,
                    "reference": s.reference,
                    "type": s.type,
                    "status": s.status,
                    ("email_address" if s.type == "email" else "phone_number"): s.to,
                    "created_at": s.created_at,
                }
                for s in reversed(found)
            ],
            "links": {"current": f"{self.base_url}/v2/notifications"},
        }


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    notify: FakeNotify
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = urlsplit(self.path).path
        kind = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}.get(path)
        if self._outage():
            return
        if kind is None:
            return self._answer(*_error(404, "BadRequestError", "Not found"))
        refused = self.notify.authenticate(self.headers.get("Authorization", ""))
        if refused:
            return self._answer(*refused)
        if self.notify._take("rate_limited"):
            return self._answer(
                *_error(
                    429,
                    "RateLimitError",
                    "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
                )
            )
        try:
            body = json.loads(raw)
        except ValueError:
            return self._answer(
                *_error(400, "BadRequestError", "Invalid JSON supplied in POST data")
            )
        status, answer = self.notify.send(kind, body)
        if status == 201 and self.notify._take("take_then_drop"):
            self.notify.requests.append(("POST", path, 0))
            self.close_connection = True
            self.connection.close()
            return
        self._answer(status, answer)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        if self._outage():
            return
        refused = self.notify.authenticate(self.headers.get("Authorization", ""))
        if refused:
            return self._answer(*refused)
        if parts.path != "/v2/notifications":
            return self._answer(*_error(404, "BadRequestError", "Not found"))
        self._answer(*self.notify.search(parse_qs(parts.query)))

    def _outage(self) -> bool:
        path = urlsplit(self.path).path
        if self.notify._take("down"):
            self.notify.requests.append((self.command, path, 0))
            self.close_connection = True
            self.connection.close()
            return True
        if self.notify._take("failing"):
            self._answer(*_error(500, "Exception", "Internal server error"))
            return True
        return False

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.notify.requests.append((self.command, urlsplit(self.path).path, status))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
