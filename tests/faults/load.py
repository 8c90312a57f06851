"""Concurrent submissions over loopback, as agency systems and people send them.

API: `POST /api/v1/referrals/` with a Bearer key and an Idempotency-Key; on a
503 or a dropped connection the client sends the same request again with the
same key, as the API's documentation asks.
Form: a signed-in sender (session cookie) opens "Check your answers" for a
draft and presses Send (with the page's CSRF token); on a 503 they press Send
again, then open the receipt.

Every attempt is recorded: its status (or the connection error) and, for a
receipt, the reference.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

RECEIPT_PATH = re.compile(r"/referrals/([A-Z0-9-]+)/receipt/")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Attempt:
    status: int | str  # HTTP status, or the name of the connection error
    clear: bool  # an error a person or a program can act on (503 + Retry-After + message)
    at: float  # when the answer came (time.monotonic())
    seconds: float = 0.0  # how long the request took


@dataclass
class Submission:
    channel: str  # "api" or "form"
    ident: str  # the Idempotency-Key, or the draft's id
    attempts: list[Attempt] = field(default_factory=list)
    reference: str | None = None
    replayed: bool = False
    already_sent: bool = False

    @property
    def receipted(self) -> bool:
        return self.reference is not None


class Http:
    """One small HTTP client with a cookie jar; a new connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.started = 0.0

    def attempt(self, status: int | str, clear: bool) -> Attempt:
        """The outcome of the request just made."""
        now = time.monotonic()
        return Attempt(status, clear, now, now - self.started)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.started = time.monotonic()
        try:
            all_headers = {"Host": "127.0.0.1", **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()


def _clear_503(status: int, headers: dict[str, str], body: bytes) -> bool:
    return status == 503 and "retry-after" in headers and len(body) > 0


class Load:
    def __init__(self, port: int, *, max_attempts: int = 60, retry_pause: float = 0.5) -> None:
        self.port = port
        self.max_attempts = max_attempts
        self.retry_pause = retry_pause
        self.submissions: list[Submission] = []
        self.done = 0
        self.lock = threading.Lock()

    def _finished(self, submission: Submission) -> None:
        with self.lock:
            self.submissions.append(submission)
            self.done += 1

    # --- API -------------------------------------------------------------
    def submit_api(self, key: str, document: dict[str, Any]) -> Submission:
        sub = Submission(channel="api", ident=str(uuid.uuid4()))
        body = json.dumps(document).encode()
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": sub.ident,
        }
        client = Http(self.port)
        for _ in range(self.max_attempts):
            try:
                status, response_headers, data = client.request(
                    "POST", "/api/v1/referrals/", body, headers
                )
            except OSError as exc:
                sub.attempts.append(client.attempt(type(exc).__name__, False))
                time.sleep(self.retry_pause)
                continue
            if status == 201:
                sub.attempts.append(client.attempt(status, True))
                sub.reference = json.loads(data)["reference"]
                sub.replayed = response_headers.get("idempotent-replayed") == "true"
                break
            clear = (
                _clear_503(status, response_headers, data)
                and json.loads(data).get("error") == "unavailable"
            )
            sub.attempts.append(client.attempt(status, clear))
            if status != 503:
                break
            time.sleep(self.retry_pause)
        self._finished(sub)
        return sub

    # --- Form ------------------------------------------------------------
    def _until_answered(
        self,
        client: Http,
        sub: Submission | None,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        for _ in range(self.max_attempts):
            try:
                status, response_headers, data = client.request(method, path, body, headers)
            except OSError as exc:
                if sub is not None:
                    sub.attempts.append(client.attempt(type(exc).__name__, False))
                time.sleep(self.retry_pause)
                continue
            if status != 503:
                return status, response_headers, data
            if sub is not None:
                clear = (
                    _clear_503(status, response_headers, data)
                    and b"unavailable for a moment" in data
                )
                sub.attempts.append(client.attempt(status, clear))
            time.sleep(self.retry_pause)
        raise AssertionError(f"{method} {path} never answered")

    def signed_in(self, session_cookie: str) -> Http:
        """A browser holding a signed-in person's session cookie."""
        client = Http(self.port)
        client.cookies["sessionid"] = session_cookie
        return client

    def send_drafts(
        self, client: Http, drafts: list[str], *, at_least: int, keep_going: Callable[[], bool]
    ) -> None:
        for sent, draft in enumerate(drafts):
            if sent >= at_least and not keep_going():
                break
            sub = Submission(channel="form", ident=draft)
            path = f"/referrals/drafts/{draft}/check/"
            status, _, page = self._until_answered(client, sub, "GET", path)
            if status != 200:
                sub.attempts.append(client.attempt(status, False))
                self._finished(sub)
                continue
            csrf = CSRF_INPUT.search(page.decode())
            assert csrf is not None, "the check page has a CSRF token"
            token = csrf.group(1)
            status, headers, _ = self._until_answered(
                client, sub, "POST", path, {"csrfmiddlewaretoken": token}
            )
            location = headers.get("location", "")
            found = RECEIPT_PATH.search(location)
            if status == 302 and found:
                status_r, _, receipt = self._until_answered(client, sub, "GET", location)
                if status_r == 200 and found.group(1).encode() in receipt:
                    sub.attempts.append(client.attempt(302, True))
                    sub.reference = found.group(1)
                else:
                    sub.attempts.append(client.attempt(status_r, False))
            elif status == 302 and location.rstrip("/").endswith("/referrals"):
                # The Send before was cut off after its transaction committed.
                sub.attempts.append(client.attempt(302, True))
                sub.already_sent = True
            else:
                sub.attempts.append(client.attempt(status, False))
            self._finished(sub)

    # --- Both at once ----------------------------------------------------
    def run(
        self,
        *,
        api_keys: list[str],
        api_count: int,
        api_threads: int,
        document: dict[str, Any],
        senders: list[tuple[Http, list[str]]],
        form_count: int,
        keep_going: Callable[[], bool],
    ) -> None:
        """At least `api_count` API and `form_count` form submissions per
        sender, and more for as long as `keep_going()` (while faults are
        still being injected)."""
        counter = itertools.count()

        def api_client(thread: int) -> None:
            while True:
                i = next(counter)
                if i >= api_count and not keep_going():
                    return
                self.submit_api(api_keys[i % len(api_keys)], document)

        with ThreadPoolExecutor(max_workers=api_threads + len(senders)) as pool:
            futures = [
                pool.submit(
                    self.send_drafts, client, drafts, at_least=form_count, keep_going=keep_going
                )
                for client, drafts in senders
            ]
            futures += [pool.submit(api_client, t) for t in range(api_threads)]
            for future in futures:
                future.result()
