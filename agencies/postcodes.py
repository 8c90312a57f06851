"""Importing which postcodes each front door covers from the ONS Postcode
Directory (ONSPD), the CSV a local authority downloads from the ONS Open
Geography Portal.

Only two things are read from each row: the postcode and the code of the
local authority district it lies in (and the date it was terminated, if it
was). A postcode whose district is a front door's `local_authority_code`
becomes, or stays, that front door's; the rest of the country is skipped, so
the whole national file (2.7 million rows) can be given as well as one
authority's extract.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, CoverageSource, CoveredPostcode
from audit.models import Action
from audit.services import COMMAND, Origin, record_event
from core.postcodes import normalise_postcode

# Column names across ONSPD editions: "pcds" (one space) is in every one;
# older files name the district column "oslaua", newer ones "lad25cd" and
# so on, after the year of the boundaries.
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode")
AUTHORITY_COLUMNS = ("oslaua", "laua", "lad_code")
AUTHORITY_COLUMN_RE = re.compile(r"^lad\d{2}cd$")
TERMINATED_COLUMN = "doterm"
BATCH = 5000


class PostcodeFileError(ValueError):
    """The file is not an ONS Postcode Directory CSV we can read."""


@dataclass
class ImportResult:
    added: int = 0
    moved: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped_other_areas: int = 0
    kept_admin_entries: list[str] = field(default_factory=list)
    invalid_rows: int = 0

    def summary(self) -> str:
        text = (
            f"{self.added} postcodes added, {self.moved} moved to another front door, "
            f"{self.removed} terminated postcodes removed, {self.unchanged} unchanged; "
            f"{self.skipped_other_areas} rows for areas no front door here covers"
        )
        if self.invalid_rows:
            text += f"; {self.invalid_rows} rows without a readable postcode"
        if self.kept_admin_entries:
            text += (
                f"; {len(self.kept_admin_entries)} postcodes kept as entered in the admin "
                f"({', '.join(self.kept_admin_entries[:5])})"
            )
        return text


def _columns(header: list[str]) -> tuple[str, str]:
    lower = [name.strip().lower() for name in header]
    postcode = next((c for c in POSTCODE_COLUMNS if c in lower), None)
    authority = next((c for c in AUTHORITY_COLUMNS if c in lower), None) or next(
        (c for c in lower if AUTHORITY_COLUMN_RE.match(c)), None
    )
    if postcode is None or authority is None:
        raise PostcodeFileError(
            "This is not an ONS Postcode Directory file: it needs a postcode column "
            f"({', '.join(POSTCODE_COLUMNS)}) and a local authority column "
            f"({', '.join(AUTHORITY_COLUMNS)} or ladNNcd)"
        )
    return postcode, authority


def read_postcode_directory(stream: IO[str]) -> Iterator[tuple[str | None, str, bool]]:
    """(postcode or None if unreadable, local authority code, terminated) per row."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise PostcodeFileError("The file is empty")
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    postcode_column, authority_column = _columns(list(reader.fieldnames))
    for row in reader:
        yield (
            normalise_postcode(row.get(postcode_column) or ""),
            (row.get(authority_column) or "").strip().upper(),
            bool((row.get(TERMINATED_COLUMN) or "").strip()),
        )


def import_postcode_directory(
    *,
    rows: Iterable[tuple[str | None, str, bool]],
    actor: User | None,
    origin: Origin = COMMAND,
) -> ImportResult:
    """Bring the front doors' postcodes in line with the directory.

    1. Map each active front door's local authority code to it.
    2. For each row in one of those areas: a live postcode is added to its
       front door (or moved there, if an earlier import gave it to another);
       a terminated one is removed if an import added it.
    3. Entries an administrator typed in are never changed: they are the
       deliberate exceptions (a street served across the border).
    All in one transaction, with the history of every change and one audit
    event; running it twice changes nothing the second time.
    """
    by_code = {
        fd.local_authority_code.upper(): fd
        for fd in Agency.objects.filter(kind=AgencyKind.FRONT_DOOR, is_active=True).exclude(
            local_authority_code=""
        )
    }
    result = ImportResult()
    wanted: dict[str, Agency] = {}
    terminated: set[str] = set()
    for postcode, code, is_terminated in rows:
        front_door = by_code.get(code)
        if front_door is None:
            result.skipped_other_areas += 1
            continue
        if postcode is None:
            result.invalid_rows += 1
            continue
        if is_terminated:
            terminated.add(postcode)
            wanted.pop(postcode, None)
        else:
            wanted[postcode] = front_door
            terminated.discard(postcode)
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.postcode: row
            for row in CoveredPostcode.objects.filter(postcode__in=[*wanted, *terminated])
        }
        added: list[CoveredPostcode] = []
        moved: list[CoveredPostcode] = []
        for postcode, front_door in wanted.items():
            row = existing.get(postcode)
            if row is None:
                added.append(
                    CoveredPostcode(
                        front_door=front_door,
                        postcode=postcode,
                        source=CoverageSource.POSTCODE_DIRECTORY,
                    )
                )
            elif row.source == CoverageSource.ADMIN:
                if row.front_door_id != front_door.pk:
                    result.kept_admin_entries.append(postcode)
                else:
                    result.unchanged += 1
            elif row.front_door_id != front_door.pk:
                row.front_door = front_door
                moved.append(row)
            else:
                result.unchanged += 1
        gone = [
            row
            for postcode in terminated
            if (row := existing.get(postcode)) is not None
            and row.source == CoverageSource.POSTCODE_DIRECTORY
        ]
        history = CoveredPostcode.history
        reason = "ONS Postcode Directory import"
        if added:
            created = CoveredPostcode.objects.bulk_create(added, batch_size=BATCH)
            if any(row.pk is None for row in created):  # a database that cannot return ids
                created = list(
                    CoveredPostcode.objects.filter(postcode__in=[r.postcode for r in added])
                )
            history.bulk_history_create(
                created, default_user=actor, default_date=now, default_change_reason=reason
            )
        if moved:
            CoveredPostcode.objects.bulk_update(moved, ["front_door"], batch_size=BATCH)
            history.bulk_history_create(
                moved,
                update=True,
                default_user=actor,
                default_date=now,
                default_change_reason=reason,
            )
        if gone:
            for row in gone:
                # A deletion's history row, as the admin's delete would leave.
                row.delete()
        result.added, result.moved, result.removed = len(added), len(moved), len(gone)
        record_event(
            actor=actor,
            action=Action.POSTCODES_IMPORTED,
            object_type="postcode_directory",
            origin=origin,
            detail={
                "added": result.added,
                "moved": result.moved,
                "removed": result.removed,
                "unchanged": result.unchanged,
            },
        )
    return result
