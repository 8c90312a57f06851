from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency, AgencyKind
from audit.models import Action
from audit.services import COMMAND, record_event
from privacy.subject_access import export_for_child


class Command(BaseCommand):
    help = "Export everything a front door holds about a child, for a subject access request."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--front-door", required=True, help="The front door's name, as in the admin."
        )
        parser.add_argument("--nhs-number", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--date-of-birth", default="", help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="File to write the JSON export to.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            front_door = Agency.objects.get(name=options["front_door"], kind=AgencyKind.FRONT_DOOR)
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No front door called {options['front_door']!r}") from exc
        born = None
        if options["date_of_birth"]:
            try:
                born = dt.date.fromisoformat(options["date_of_birth"])
            except ValueError as exc:
                raise CommandError("--date-of-birth must be a date like 2019-03-27") from exc
        if not options["nhs_number"] and not (
            options["first_name"] and options["last_name"] and born
        ):
            raise CommandError(
                "Give --nhs-number, or --first-name, --last-name and --date-of-birth"
            )
        export = export_for_child(
            front_door.pk,
            nhs_number=options["nhs_number"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            date_of_birth=born,
        )
        with open(options["out"], "w", encoding="utf-8") as handle:
            json.dump(export, handle, indent=2, ensure_ascii=False)
        record_event(
            actor=None,
            action=Action.SUBJECT_ACCESS_EXPORTED,
            object_type="child",
            object_ref=f"{export['referral_count']} referrals",
            origin=COMMAND,
            detail={"references": [item["reference"] for item in export["referrals"]]},
        )
        self.stdout.write(
            f"Wrote {export['referral_count']} referrals to {options['out']}. "
            "Review and redact before release."
        )
