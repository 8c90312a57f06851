from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency
from agencies.webhooks import register_webhook
from audit.services import COMMAND


class Command(BaseCommand):
    help = "Register an agency system's webhook endpoint and print its signing secret (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency", required=True, help="The agency's name, exactly as in the portal."
        )
        parser.add_argument("--url", required=True)
        parser.add_argument(
            "--event", action="append", default=[], help="Only this event (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency called {options['agency']!r}")
        try:
            hook = register_webhook(
                agency=agency,
                url=options["url"],
                events=options["event"],
                actor=None,
                origin=COMMAND,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(hook.secret)
