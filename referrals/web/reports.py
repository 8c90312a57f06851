"""Partnership figures: a page with charts and tables, and a CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import REPORT_ROLES, Agency
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedHttpRequest
from referrals.forms.reports import ReportForm
from referrals.selectors.reporting import (
    DECISION_LABELS,
    RULE_LABELS,
    Shown,
    channel_csv_rows,
    csv_rows,
    partnership_report,
    shown,
)


def _last_month() -> tuple[dt.date, dt.date]:
    """The 30 days up to today: a month's figures, with today's in them."""
    today = timezone.localdate()
    return today - dt.timedelta(days=29), today


def _bars(items: list[tuple[str, Shown | float | None]]) -> list[dict]:
    """Rows for a bar chart, each with its width as a share of the largest.
    A hidden small number ("fewer than 5") draws no bar: its length would
    tell what the words hide."""

    def length(value: Shown | float | None) -> float:
        return value if isinstance(value, int | float) else 0

    top = max((length(value) for _, value in items), default=0) or 1
    return [
        {"label": label, "value": value, "width": round(100 * length(value) / top, 1)}
        for label, value in items
    ]


@login_required
def partnership(request: AuthenticatedHttpRequest) -> HttpResponse:
    access = get_access(request.user)
    front_doors = sorted(access.front_door_ids_with(REPORT_ROLES))
    if not front_doors:
        raise PermissionDenied("Only managers and partnership viewers can see the figures")
    front_door = Agency.objects.get(pk=front_doors[0])
    start, end = _last_month()
    if "start-day" in request.GET or "start" in request.GET:
        form = ReportForm(request.GET)
    else:
        form = ReportForm(initial={"start": start, "end": end})
    report = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if not form.is_bound or form.is_valid():
        report = shown(
            partnership_report(
                front_door_id=front_door.pk, front_door_name=front_door.name, start=start, end=end
            )
        )
    spreadsheets = {"csv": ("figures", csv_rows), "csv-channels": ("channels", channel_csv_rows)}
    if report is not None and request.GET.get("format") in spreadsheets:
        name, rows_of = spreadsheets[request.GET["format"]]
        record_event(
            actor=request.user,
            action=Action.EXPORTED,
            object_type="partnership_report",
            object_ref=f"{start}..{end}",
            origin=Origin.of(request),
            detail={"front_door": front_door.pk} | ({"table": name} if name != "figures" else {}),
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="front-door-{name}-{start}-to-{end}.csv"'
        )
        response.write("\ufeff")  # so spreadsheet programs read the text as UTF-8
        writer = csv.writer(response)
        for row in rows_of(report):
            writer.writerow(["" if cell is None else _safe_cell(cell) for cell in row])
        return response
    record_event(
        actor=request.user,
        action=Action.REPORTED,
        object_type="partnership_report",
        object_ref=f"{start}..{end}",
        origin=Origin.of(request),
        detail={"front_door": front_door.pk},
    )
    context: dict[str, Any] = {"form": form, "report": report, "start": start, "end": end}
    if report is not None:
        overall = report.overall
        context.update(
            {
                "outcome_bars": _bars(
                    [(label, overall.outcomes[key]) for key, label in DECISION_LABELS.items()]
                ),
                "acknowledge_bars": _bars(
                    [(name, f.acknowledge_median) for name, f in report.by_agency]
                ),
                "received_bars": _bars([(name, f.received) for name, f in report.by_agency]),
                "escalation_rows": [
                    (
                        RULE_LABELS[rule],
                        overall.escalations[(rule, 1)],
                        overall.escalations[(rule, 2)],
                    )
                    for rule in RULE_LABELS
                ],
                "csv_query": request.GET.urlencode()
                or (f"start={start.isoformat()}&end={end.isoformat()}"),
            }
        )
    return render(request, "referrals/reports/partnership.html", context)


def _safe_cell(value: object) -> object:
    """Agency names come from administrators; stop a spreadsheet reading one
    as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value
