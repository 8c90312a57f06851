from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Destroy what the retention rules say is no longer to be kept. "
        "Use --dry-run first: it reports the same and changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")
        parser.add_argument(
            "--as-of", help="Apply the rules as on this date (YYYY-MM-DD), for checking."
        )

    def handle(self, *args: Any, dry_run: bool, as_of: str | None, **options: Any) -> None:
        when = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError("--as-of must be a date like 2026-11-25") from exc
            when = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))
        report = apply_retention(as_of=when, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
