"""django-helpdesk's escalation, timed on the same PostgreSQL as our sweep.

    DJANGO_SETTINGS_MODULE=bench.helpdesk_settings \
        python -m bench.helpdesk_bench --tickets 1000,10000 --out x.json

For each size: empty helpdesk's ticket tables, COPY that many open tickets
(priority 3, created ten days ago, owned by a worker, in a queue that
escalates after one day, with a CC address: like an overdue referral that
tells the managers), then time `manage.py escalate_tickets` with
time.perf_counter and count its SQL statements. Every ticket is overdue, so
each one is escalated once. helpdesk renders its emails from its own
templates and hands them to Django's in-memory email backend.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path

import django


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def seed(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from helpdesk.models import Queue, Ticket

    with connection.cursor() as c:
        c.execute(
            "TRUNCATE helpdesk_ticketchange, helpdesk_followup, helpdesk_ticket RESTART IDENTITY "
            "CASCADE"
        )
    queue, _ = Queue.objects.update_or_create(
        slug="front-door",
        defaults={
            "title": "Front door",
            "escalate_days": 1,
            "email_address": "mash@northbridge.example",
            "updated_ticket_cc": "managers@northbridge.example",
            "allow_email_submission": False,
        },
    )
    owner, _ = get_user_model().objects.get_or_create(
        username="mash.worker",
        defaults={"email": "mash.worker@northbridge.example", "password": "!"},
    )
    created = dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=10)
    stamp = created.isoformat()
    lines = [
        f"Referral {i}\t{stamp}\t{stamp}\treferrer{i}@agency.example\t{Ticket.OPEN_STATUS}\tf\t"
        "Child arrived at school hungry "
        f"again.\t\t3\t\\N\t\\N\t{owner.pk}\t{queue.pk}\t{uuid.uuid4()}\t\\N\t\\N"
        for i in range(count)
    ]
    with (
        transaction.atomic(),
        connection.cursor() as c,
        c.cursor.copy(
            "COPY helpdesk_ticket (title, created, modified, submitter_email, status, on_hold, "
            "description, "
            "resolution, priority, due_date, last_escalation, assigned_to_id, queue_id, "
            "secret_key, kbitem_id, "
            "merged_to_id) FROM STDIN"
        ) as copy,
    ):
        copy.write("\n".join(lines) + "\n")
    with connection.cursor() as c:
        c.execute("ANALYZE helpdesk_ticket")


def escalate(count: int) -> dict:
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from helpdesk.models import FollowUp, Ticket

    started = time.perf_counter()
    seed(count)
    setup = time.perf_counter() - started
    mail.outbox = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        call_command("escalate_tickets")
        seconds = time.perf_counter() - started
    escalated = Ticket.objects.filter(priority=2).count()
    return {
        "tickets": count,
        "seconds": round(seconds, 2),
        "per_ticket_ms": round(seconds / count * 1000, 3),
        "sql_statements": counter.count,
        "statements_per_ticket": round(counter.count / count, 2),
        "escalated": escalated,
        "followups": FollowUp.objects.count(),
        "emails": len(mail.outbox),
        "setup_seconds": round(setup, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", default="1000,10000")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.helpdesk_settings")
    django.setup()
    from importlib.metadata import version

    out: dict = {"helpdesk_version": version("django-helpdesk"), "runs": {}}
    for count in [int(n) for n in args.tickets.split(",") if n]:
        print(f"[helpdesk] escalate_tickets with {count:,} overdue tickets ...", flush=True)
        out["runs"][str(count)] = escalate(count)
        Path(args.out).write_text(json.dumps(out, indent=2))
    largest = max(out["runs"].values(), key=lambda r: r["tickets"])
    out["per_ticket_ms_at_largest"] = largest["per_ticket_ms"]
    out["extrapolated_100k_seconds"] = round(largest["per_ticket_ms"] * 100_000 / 1000, 1)
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
