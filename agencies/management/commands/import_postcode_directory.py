from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.postcodes import PostcodeFileError, import_postcode_directory, read_postcode_directory


class Command(BaseCommand):
    help = (
        "Give each front door the postcodes of its local authority from the ONS Postcode "
        "Directory CSV (the front door's 'local authority code' says which). Entries made "
        "in the admin are kept; terminated postcodes are removed. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path, help="The ONSPD CSV file (or an extract).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["csv_file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        try:
            with path.open(newline="", encoding="utf-8-sig") as stream:
                result = import_postcode_directory(rows=read_postcode_directory(stream), actor=None)
        except PostcodeFileError as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError("The file is not a CSV file in UTF-8") from exc
        self.stdout.write(result.summary())
