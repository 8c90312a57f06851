from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.api_keys import issue_api_key, revoke_api_key, rotate_api_key
from agencies.models import Agency, ApiClient


class Command(BaseCommand):
    help = (
        "Issue an API key for an agency's record system and print it (shown once). "
        "--rotate PREFIX or --revoke PREFIX change an existing one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="The agency's name, exactly as in the portal.")
        parser.add_argument("--name", help="Which system, e.g. 'EMIS at Riverside'.")
        parser.add_argument("--rotate", metavar="PREFIX")
        parser.add_argument("--revoke", metavar="PREFIX")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rotate"] or options["revoke"]:
            prefix = options["rotate"] or options["revoke"]
            client = ApiClient.objects.filter(key_prefix=prefix).first()
            if client is None:
                raise CommandError(f"No API key starts fdk_{prefix}_")
            if options["revoke"]:
                revoke_api_key(client=client, actor=None)
                self.stderr.write(f"Revoked {client.name}.")
                return
            self.stdout.write(rotate_api_key(client=client, actor=None))
            return
        if not options["agency"] or not options["name"]:
            raise CommandError("Give --agency and --name")
        agency = Agency.objects.filter(name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency called {options['agency']!r}")
        try:
            _, key = issue_api_key(agency=agency, name=options["name"], actor=None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(key)
