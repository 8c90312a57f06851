from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications.webhooks import SIGNATURE_HEADER, verify


class Command(BaseCommand):
    help = (
        "A local webhook receiver for trying the API: listens on 127.0.0.1, checks each "
        "message's signature with --secret and prints it. Ctrl-C stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--secret", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"]
        out = self.stdout

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                good = verify(secret, self.headers.get(SIGNATURE_HEADER, ""), body)
                self.send_response(200 if good else 401)
                self.end_headers()
                try:
                    shown = json.dumps(json.loads(body), indent=2)
                except ValueError:
                    shown = body.decode(errors="replace")
                out.write(f"{'signature OK' if good else 'BAD SIGNATURE'}: {shown}")

            def log_message(self, *args: object) -> None:
                pass

        server = HTTPServer(("127.0.0.1", options["port"]), Handler)
        out.write(f"Listening on http://127.0.0.1:{options['port']}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
