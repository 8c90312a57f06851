"""Send a front door's failed messages again (the same as its administrators'
page, Messages not delivered).

    python manage.py resend_failed_messages --front-door "Northbridge Front Door"
    python manage.py resend_failed_messages --front-door "..." --dry-run
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency
from audit.services import COMMAND
from notifications.selectors import failed_messages
from notifications.services import resend_failed


class Command(BaseCommand):
    help = "Send a front door's failed messages again, each keeping its message id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--front-door", required=True, help="The front door's name.")
        parser.add_argument("--dry-run", action="store_true", help="List them; send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        front_door = Agency.objects.filter(name=options["front_door"], kind="front_door").first()
        if front_door is None:
            raise CommandError(f"No front door called {options['front_door']!r}")
        failed = failed_messages([front_door.pk])
        for note in failed:
            reference = note.referral.reference if note.referral else "-"
            self.stdout.write(
                f"{note.created_at:%Y-%m-%d %H:%M} {reference} "
                f"{note.get_purpose_display()} to {note.to_address}: {note.last_error}"
            )
        if options["dry_run"]:
            self.stderr.write(f"{failed.count()} failed message(s); nothing sent.")
            return
        count = resend_failed(notifications=failed, actor=None, origin=COMMAND)
        self.stderr.write(f"{count} message(s) will be sent again now.")
