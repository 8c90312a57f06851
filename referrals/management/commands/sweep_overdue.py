from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from referrals.escalation.sweep import Escalated, preview_overdue_referrals, run_sweep
from referrals.models import ESCALATION_LEVEL_LABELS, EscalationRule


def line(item: Escalated) -> str:
    rule = EscalationRule(item.rule).label.lower()
    level = item.level
    return f"{item.reference}\tlevel {level}\t{ESCALATION_LEVEL_LABELS[level]}\t{rule}"


def parse_local(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must look like 2026-12-01T17:30, not {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


class Command(BaseCommand):
    help = (
        "Escalate every referral whose deadline has passed, now (the same sweep "
        "Celery beat runs every minute). With --dry-run, list what would escalate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Change nothing; list what would escalate."
        )
        parser.add_argument(
            "--as-of", help="Local time to sweep as of, e.g. 2026-12-01T17:30 (dry run only)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["as_of"] and not options["dry_run"]:
            raise CommandError(
                "--as-of only works with --dry-run: a real sweep always runs as of now"
            )
        if options["dry_run"]:
            as_of = parse_local(options["as_of"]) if options["as_of"] else timezone.now()
            would = preview_overdue_referrals(as_of=as_of)
            for item in would:
                self.stdout.write(line(item))
            self.stderr.write(
                f"{len(would)} escalation(s) would happen as of "
                f"{timezone.localtime(as_of):%Y-%m-%d %H:%M %Z}; nothing changed."
            )
            return
        result = run_sweep()
        for item in result.escalated:
            self.stdout.write(line(item))
        self.stderr.write(f"{result.count} escalation(s) made.")
        if result.failed_steps:
            raise CommandError(
                f"These steps failed and will be retried by the next sweep: "
                f"{', '.join(result.failed_steps)}"
            )
