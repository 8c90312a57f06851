"""The benchmark scenarios, run against one generated database.

    DATABASE_URL=postgres://.../frontdoor_bench_1m python -m bench.scenarios --out result.json

1. Escalation sweep, steady state (nothing due) and catch-up (10k and 100k
   breached at once: escalation and outbox rows written, exactly once).
2. Submission through gunicorn: API (closed loop and paced) and the web form,
   against the ceiling: the same rows inserted by plain SQL, one transaction
   per referral, through psycopg, on the same database in the same run.
3. Pages at scale: p95 through gunicorn and SQL queries per page.
4. Delivery: outbox dispatch to an SMTP sink.

Every timing is time.perf_counter around the call or request; memory is
psutil's resident set size. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent


def _stats(values: list[float]) -> dict:
    """Median and spread of a list of seconds, in milliseconds."""
    ms = sorted(v * 1000 for v in values)
    if not ms:
        return {}
    q = statistics.quantiles(ms, n=20, method="inclusive") if len(ms) > 1 else [ms[0]] * 19
    return {
        "runs": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "min_ms": round(ms[0], 2),
        "max_ms": round(ms[-1], 2),
        "p5_ms": round(q[0], 2),
        "p95_ms": round(q[18], 2),
    }


class QueryCounter:
    """Counts SQL statements on the default connection (execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _index_names(plan: object) -> list[str]:
    found: list[str] = []
    if isinstance(plan, dict):
        for key, value in plan.items():
            if key == "Index Name":
                found.append(value)
            else:
                found += _index_names(value)
    elif isinstance(plan, list):
        for item in plan:
            found += _index_names(item)
    return found


# --- 1. the escalation sweep -------------------------------------------------


def steady_sweep(now: dt.datetime, runs: int) -> dict:
    from django.db import connection

    from referrals.escalation.claim import claim_sql
    from referrals.escalation.ladder import LADDER
    from referrals.escalation.sweep import escalate_overdue_referrals
    from referrals.models import Referral

    times, queries, escalated = [], [], 0
    escalate_overdue_referrals(now=now)  # warm
    for _ in range(runs):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            result = escalate_overdue_referrals(now=now)
            times.append(time.perf_counter() - started)
        queries.append(counter.count)
        escalated += result.count
    # Which indexes the claims use (EXPLAIN of each step's inner SELECT).
    indexes = {}
    with connection.cursor() as c:
        for step in LADDER:
            sql = claim_sql(step)
            inner = sql[sql.index("(SELECT") + 1 : sql.index("LIMIT %s") + len("LIMIT %s")]
            params: list[Any] = [*step.open_values, step.level - 1, now, 500]
            c.execute("EXPLAIN (FORMAT JSON) " + inner, params)
            plan = c.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            indexes[f"{step.rule}:{step.level}"] = _index_names(plan)
    return {
        **_stats(times),
        "queries_per_sweep": sorted(set(queries)),
        "escalated": escalated,
        "closed_referrals": Referral.objects.filter(status="decided").count(),
        "open_referrals": Referral.objects.exclude(status="decided").count(),
        "claim_indexes": indexes,
    }


def _rss_sampler(stop: threading.Event, peak: list[int]) -> None:
    import psutil

    me = psutil.Process()
    while not stop.is_set():
        peak[0] = max(peak[0], me.memory_info().rss)
        time.sleep(0.02)


def catch_up(count: int, now: dt.datetime) -> dict:
    import psutil
    from django.db import connection

    from bench.generator import insert_breached
    from referrals.escalation.sweep import BATCH_SIZE, escalate_overdue_referrals

    def max_id(table: str) -> int:
        with connection.cursor() as c:
            c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own names
            biggest: int = c.fetchone()[0]
            return biggest

    def added(table: str, since: int, where: str = "") -> int:
        with connection.cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM {table} WHERE id > %s {where}", [since])  # noqa: S608
            count: int = c.fetchone()[0]
            return count

    started = time.perf_counter()
    insert_breached(count, now=now)
    with connection.cursor() as c:
        c.execute("ANALYZE referrals_referral, referrals_referralclock")
    setup_seconds = time.perf_counter() - started
    before = {
        t: max_id(t)
        for t in (
            "referrals_escalation",
            "notifications_notification",
            "referrals_referralevent",
            "audit_auditevent",
        )
    }
    rss_before = psutil.Process().memory_info().rss
    peak = [rss_before]
    stop = threading.Event()
    sampler = threading.Thread(target=_rss_sampler, args=(stop, peak), daemon=True)
    sampler.start()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = escalate_overdue_referrals(now=now)
        seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    escalations = added("referrals_escalation", before["referrals_escalation"])
    outbox = added("notifications_notification", before["notifications_notification"])
    again = escalate_overdue_referrals(now=now)
    return {
        "breached": count,
        "seconds": round(seconds, 3),
        "per_referral_ms": round(seconds / count * 1000, 4),
        "escalated": result.count,
        "failed_steps": result.failed_steps,
        "escalation_rows": escalations,
        "outbox_rows": outbox,
        "timeline_rows": added("referrals_referralevent", before["referrals_referralevent"]),
        "audit_rows": added("audit_auditevent", before["audit_auditevent"]),
        "second_sweep_escalated": again.count,
        "escalation_rows_after_second_sweep": added(
            "referrals_escalation", before["referrals_escalation"]
        ),
        "exactly_once": result.count == count == escalations and again.count == 0,
        "queries": counter.count,
        "batches": -(-count // BATCH_SIZE),
        "batch_size": BATCH_SIZE,
        "queries_per_batch": round(counter.count / max(1, -(-count // BATCH_SIZE)), 1),
        "rss_before_mb": round(rss_before / 2**20, 1),
        "rss_peak_mb": round(peak[0] / 2**20, 1),
        "rss_growth_mb": round((peak[0] - rss_before) / 2**20, 1),
        "setup_seconds": round(setup_seconds, 1),
    }


# --- sessions and tokens for the HTTP scenarios ------------------------------


def session_for(user) -> str:
    """A session as a person has after their password and the code from
    their authenticator app (every staff page needs the second factor)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.services import authenticator_for

    device = authenticator_for(user)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    assert session.session_key is not None  # create() saved it under a new key
    return session.session_key


# --- 3. pages ----------------------------------------------------------------


def family_targets(front_door_id: int) -> dict[str, tuple[str, str]]:
    """The family pages: the newest referral about the child this front door
    has had most referrals about (its history panel, with the same parents
    each time), and searches for that child's mother: by name and date of
    birth, and by name alone with a typo (the trigram path)."""
    from urllib.parse import urlencode

    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """
            SELECT c.nhs_number FROM referrals_child c
            JOIN referrals_referral r ON r.id = c.referral_id
            WHERE r.front_door_id = %s AND c.nhs_number <> ''
            GROUP BY c.nhs_number ORDER BY count(*) DESC, c.nhs_number LIMIT 1
            """,
            [front_door_id],
        )
        row = c.fetchone()
        if row is None:
            return {}
        c.execute(
            """
            SELECT r.reference, a.first_name, a.last_name, a.date_of_birth
            FROM referrals_child c
            JOIN referrals_referral r ON r.id = c.referral_id
            JOIN referrals_adult a ON a.referral_id = r.id AND a.relationship = 'mother'
            WHERE c.nhs_number = %s AND r.front_door_id = %s
            ORDER BY r.received_at DESC LIMIT 1
            """,
            [row[0], front_door_id],
        )
        reference, first, last, born = c.fetchone()
    typo = last[:-2] + last[-1] + last[-2] if len(last) > 3 else last
    by_birth = urlencode({"name": f"{first} {last}", "date_of_birth": born.isoformat()})
    by_name = urlencode({"name": f"{first} {typo}"})
    return {
        "referral_family_history": ("practitioner", f"/referrals/{reference}/"),
        "people_search_name_and_birth": ("practitioner", f"/api/v1/people/?{by_birth}"),
        "people_search_name_only": ("practitioner", f"/api/v1/people/?{by_name}"),
    }


def pages(meta: dict, *, seconds: float, concurrency: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import loadgen, servers

    User = get_user_model()
    fd = meta["front_door"]
    today = dt.date.fromisoformat(meta["generated_at"][:10])
    start, end = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
    report = (
        f"/reports/partnership/?start-day={start.day}&start-month={start.month}&start-year={start.year}"
        f"&end-day={end.day}&end-month={end.month}&end-year={end.year}"
    )
    targets = {
        "front_door_queue": ("practitioner", "/front-door/queue/"),
        "manager_dashboard": ("manager", "/front-door/dashboard/"),
        "referral_long_history": (
            "practitioner",
            f"/referrals/{meta['long_history'][str(fd['id'])]}/",
        ),
        "partnership_report_year": ("viewer", report),
        **family_targets(fd["id"]),
    }
    results: dict = {}
    for name, (who, url) in targets.items():
        client = Client()
        client.cookies["sessionid"] = session_for(User.objects.get(pk=fd[who]))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            in_process = time.perf_counter() - started
        results[name] = {
            "url": url.split("?")[0],
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(response.content),
            "in_process_ms": round(in_process * 1000, 1),
        }
    cookies = {
        who: session_for(User.objects.get(pk=fd[who]))
        for who in ("practitioner", "manager", "viewer")
    }
    with servers.gunicorn() as (_, port):
        for name, (who, url) in targets.items():
            raw = loadgen.build_request(
                "GET", url, port=port, headers={"Cookie": f"sessionid={cookies[who]}"}
            )

            def warm_up(i: int, raw: bytes = raw) -> bytes | None:
                return raw if i < 3 else None

            def every_time(i: int, raw: bytes = raw) -> bytes | None:
                return raw

            loadgen.closed_loop(port, warm_up, concurrency=1, seconds=30)
            run = loadgen.closed_loop(
                port,
                every_time,
                concurrency=concurrency,
                seconds=seconds,
                ok=lambda status, body: status == 200,
            )
            results[name]["http"] = run.summary()
    results["_settings"] = {"concurrency": concurrency, "seconds": seconds, "gunicorn_workers": 3}
    return results


# --- 2. submission -----------------------------------------------------------

SAMPLE_TABLES = [
    ("referrals_referral", "id", "id"),
    ("referrals_historicalreferral", "id", "history_id"),
    ("referrals_child", "referral_id", "id"),
    ("referrals_historicalchild", "referral_id", "history_id"),
    ("referrals_adult", "referral_id", "id"),
    ("referrals_historicaladult", "referral_id", "history_id"),
    ("referrals_involvedagency", "referral_id", "id"),
    ("referrals_historicalinvolvedagency", "referral_id", "history_id"),
    ("referrals_previousarea", "referral_id", "id"),
    ("referrals_historicalpreviousarea", "referral_id", "history_id"),
    ("referrals_referralclock", "referral_id", "referral_id"),
    ("referrals_referralevent", "referral_id", "id"),
    ("notifications_notification", "referral_id", "id"),
    ("referrals_idempotencyrecord", "referral_id", "id"),
    ("audit_auditevent", "object_ref", "id"),
]
# Tables whose primary key is the referral's id: the ceiling writes it, as
# the portal does, rather than letting a sequence make one.
KEYED_BY_REFERRAL = {"referrals_referralclock"}


def _sample_rows(referral) -> dict[str, list[dict]]:
    from django.db import connection

    rows = {}
    with connection.cursor() as c:
        for table, key, pk in SAMPLE_TABLES:
            value = referral.reference if key == "object_ref" else referral.pk
            c.execute(f"SELECT * FROM {table} WHERE {key} = %s ORDER BY {pk}", [value])  # noqa: S608
            names = [d[0] for d in c.description]
            rows[table] = [dict(zip(names, r, strict=True)) for r in c.fetchall()]
    return rows


def _ceiling(dsn: str, sample: dict[str, list[dict]], *, concurrency: int, seconds: float) -> dict:
    """The same rows as one API submission, by plain INSERTs (one statement per
    table, several rows each), one transaction per referral, `concurrency`
    connections at once through psycopg's asyncio interface."""
    import psycopg
    from psycopg.types.json import Jsonb

    from bench.loadgen import Run
    from referrals.references import new_reference

    pks = {table: pk for table, _, pk in SAMPLE_TABLES}

    def statement(table: str, count: int) -> tuple[str, list[str]]:
        columns = [c for c in sample[table][0] if c != pks[table] or table in KEYED_BY_REFERRAL]
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        cols = ", ".join(f'"{c}"' for c in columns)
        rows = ", ".join([one] * count)
        return (
            f"INSERT INTO {table} ({cols}) VALUES {rows} RETURNING {pks[table]}",  # noqa: S608
            columns,
        )

    statements = {t: statement(t, len(rows)) for t, rows in sample.items() if rows}

    def adapt(value: object) -> object:
        return Jsonb(value) if isinstance(value, (dict, list)) else value

    async def insert_one(conn) -> None:
        reference = new_reference()
        ids: dict[str, list[int]] = {}

        async def insert(table: str, override) -> list[int]:
            sql, columns = statements[table]
            params: list[object] = []
            for i, row in enumerate(sample[table]):
                values = {**row, **override(i, row)}
                params += [adapt(values[c]) for c in columns]
            cursor = await conn.execute(sql, params)
            return [r[0] for r in await cursor.fetchall()]

        referral_id = (await insert("referrals_referral", lambda i, r: {"reference": reference}))[0]
        await insert(
            "referrals_historicalreferral", lambda i, r: {"id": referral_id, "reference": reference}
        )
        await insert("referrals_referralclock", lambda i, r: {"referral_id": referral_id})
        for part in ("child", "adult", "involvedagency", "previousarea"):
            table = f"referrals_{part}"
            if table not in statements:
                continue
            ids[part] = await insert(table, lambda i, r: {"referral_id": referral_id})
            if f"referrals_historical{part}" in statements:
                await insert(
                    f"referrals_historical{part}",
                    lambda i, r, part=part: {"referral_id": referral_id, "id": ids[part][i]},
                )
        await insert("referrals_referralevent", lambda i, r: {"referral_id": referral_id})
        await insert("audit_auditevent", lambda i, r: {"object_ref": reference})
        await insert(
            "notifications_notification",
            lambda i, r: {"referral_id": referral_id, "idempotency_key": uuid.uuid4()},
        )
        if "referrals_idempotencyrecord" in statements:
            await insert(
                "referrals_idempotencyrecord",
                lambda i, r: {"referral_id": referral_id, "key": str(uuid.uuid4())},
            )

    run = Run()

    async def worker(deadline: float) -> None:
        async with await psycopg.AsyncConnection.connect(dsn) as conn:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                while True:
                    try:
                        async with conn.transaction():
                            await insert_one(conn)
                        break
                    except psycopg.errors.UniqueViolation:
                        # A random reference that is already taken (one in
                        # tens of thousands against a million generated
                        # ones): made again, as the portal does.
                        continue
                run.latencies.append(time.perf_counter() - started)
                run.statuses[200] += 1

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(worker(deadline) for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(main())
    run.seconds = time.perf_counter() - started
    summary = run.summary()
    summary["rows_per_referral"] = {t: len(r) for t, r in sample.items() if r}
    summary["statements_per_referral"] = len(statements) + 2  # plus BEGIN and COMMIT
    return summary


def submission(meta: dict, *, seconds: float, concurrency: int, paced_rate: float) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.tokens import issue_personal_token
    from audit.services import WEB
    from bench import loadgen, servers
    from referrals.models import Draft, Referral

    User = get_user_model()
    document = json.loads((ROOT / "docs/api/example-referral.json").read_text())
    body = json.dumps(document).encode()
    senders = [u for _, users in meta["front_door"]["partners"] for u in users][:concurrency]
    # Personal API tokens, as each sender makes one under Your account.
    tokens = [
        issue_personal_token(user=User.objects.get(pk=u), name="bench", days=1, origin=WEB)[1]
        for u in senders
    ]

    # One submission in-process: which rows an API submission writes, to copy for the ceiling.
    client = Client()
    response = client.post(
        "/api/v1/referrals/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {tokens[0]}",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content[:500]
    sample_referral = Referral.objects.get(reference=response.json()["reference"])
    sample = _sample_rows(sample_referral)

    def api_request(port: int):
        def make(i: int) -> bytes:
            return loadgen.build_request(
                "POST",
                "/api/v1/referrals/",
                port=port,
                body=body,
                headers={
                    "Authorization": f"Token {tokens[i % len(tokens)]}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )

        return make

    # Drafts ready to send, one per form submission, and a session for each sender.
    now = timezone.now()
    drafts_needed = int(max(100, seconds * 120))
    drafts = Draft.objects.bulk_create(
        Draft(author_id=senders[i % len(senders)], data=document, created_at=now, updated_at=now)
        for i in range(drafts_needed)
    )
    sessions = {u: session_for(User.objects.get(pk=u)) for u in senders}
    csrf = "b" * 32
    referrals_before = Referral.objects.count()

    def form_request(port: int):
        def make(i: int) -> bytes | None:
            if i >= len(drafts):
                return None
            draft = drafts[i]
            form = f"csrfmiddlewaretoken={csrf}".encode()
            return loadgen.build_request(
                "POST",
                f"/referrals/drafts/{draft.pk}/check/",
                port=port,
                body=form,
                headers={
                    "Cookie": f"sessionid={sessions[draft.author_id]}; csrftoken={csrf}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )

        return make

    result: dict = {
        "settings": {
            "concurrency": concurrency,
            "seconds": seconds,
            "paced_rate_per_s": paced_rate,
            "gunicorn_workers": 3,
        }
    }
    with servers.gunicorn() as (_, port):
        loadgen.closed_loop(
            port, lambda i: api_request(port)(i) if i < 10 else None, concurrency=2, seconds=30
        )
        result["api_closed_loop"] = loadgen.closed_loop(
            port,
            api_request(port),
            concurrency=concurrency,
            seconds=seconds,
            ok=lambda status, body: status == 201,
        ).summary()
        result["api_paced"] = loadgen.paced(
            port,
            api_request(port),
            rate=paced_rate,
            seconds=seconds,
            ok=lambda status, body: status == 201,
        ).summary()
        result["form_closed_loop"] = loadgen.closed_loop(
            port,
            form_request(port),
            concurrency=concurrency,
            seconds=seconds,
            ok=lambda status, body: status == 302,
        ).summary()
    db = settings.DATABASES["default"]
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}"
    if db.get("PASSWORD"):
        dsn += f" password={db['PASSWORD']}"
    connection.close()
    result["ceiling_sql"] = _ceiling(dsn, sample, concurrency=concurrency, seconds=seconds)
    result["referrals_written"] = Referral.objects.count() - referrals_before
    api = result["api_closed_loop"]["throughput_per_s"] or 0
    ceiling = result["ceiling_sql"]["throughput_per_s"] or 1
    result["api_share_of_ceiling"] = round(api / ceiling, 3)
    result["form_share_of_ceiling"] = round(
        (result["form_closed_loop"]["throughput_per_s"] or 0) / ceiling, 3
    )
    Draft.objects.filter(pk__in=[d.pk for d in drafts]).delete()
    _drain_broker()
    return result


def _drain_broker() -> None:
    """Our own Redis database only: drop the dispatcher nudges no worker took."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith("redis://"):
        import redis

        redis.Redis.from_url(url).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


# --- 4. delivery -------------------------------------------------------------


def delivery(meta: dict, *, messages: int) -> dict:
    from django.core.mail import get_connection
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone

    from bench import servers
    from notifications.dispatch import dispatch_due_notifications
    from notifications.models import DeliveryStatus, Notification
    from referrals.models import Referral

    referral_ids = list(
        Referral.objects.filter(front_door_id=meta["front_door"]["id"])
        .order_by("id")
        .values_list("id", flat=True)[:messages]
    )
    results: dict = {"messages": messages}
    # Only this scenario's emails are due: anything an earlier run left pending is set aside.
    Notification.objects.filter(
        id__gt=meta["max_ids"]["notifications_notification"], status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SENT)
    with servers.smtp_sink() as (_, port):
        for how in ("default_backend", "one_connection_per_batch"):
            now = timezone.now() - dt.timedelta(minutes=1)
            Notification.objects.bulk_create(
                Notification(
                    purpose="receipt",
                    referral_id=referral_ids[i % len(referral_ids)],
                    to_address=f"person{i}@agency.example",
                    subject="Received: FD-TEST",
                    body="See it in Front Door.",
                    next_attempt_at=now,
                    created_at=now,
                )
                for i in range(messages)
            )
            counter = QueryCounter()
            smtp = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": port,
                "EMAIL_USE_TLS": False,
            }
            sent = 0
            with override_settings(**smtp), connection.execute_wrapper(counter):
                started = time.perf_counter()
                while True:
                    email = get_connection() if how == "one_connection_per_batch" else None
                    result = dispatch_due_notifications(limit=200, email_connection=email)
                    if email is not None:
                        email.close()
                    sent += result.sent
                    if result.sent + result.retrying + result.failed == 0:
                        break
                seconds = time.perf_counter() - started
            left = Notification.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).count()
            results[how] = {
                "sent": sent,
                "seconds": round(seconds, 2),
                "per_second": round(sent / seconds, 1) if seconds else None,
                "queries_per_message": round(counter.count / max(1, sent), 2),
                "left_pending": left,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", default="steady,pages,submission,delivery,catchup")
    parser.add_argument("--catch-up", default="10000,100000")
    parser.add_argument("--sweep-runs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--page-seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--page-concurrency", type=int, default=2)
    parser.add_argument("--paced-rate", type=float, default=5)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.db import connection

    from bench.generator import load_meta, reset_to_generated, vacuum_analyze

    meta = load_meta()
    if not meta:
        sys.exit("This database has no generated data: run python -m bench.generator first")
    only = set(args.only.split(","))
    # A partial run (--only) keeps what an earlier run wrote for the other
    # scenarios and says when each part was measured.
    earlier = (
        json.loads(Path(args.out).read_text())
        if only != set(parser.get_default("only").split(",")) and Path(args.out).exists()
        else {}
    )
    reset_to_generated()
    vacuum_analyze()
    now = dt.datetime.fromisoformat(meta["generated_at"])
    with connection.cursor() as c:
        c.execute("SELECT pg_database_size(current_database())")
        size = c.fetchone()[0]
    out: dict = {
        "scale": meta["referrals"],
        "database": connection.settings_dict["NAME"],
        "database_bytes": size,
        "generated": {
            k: meta[k]
            for k in ("generated_at", "seconds", "rows", "front_doors", "years", "open_share")
        },
        "started_at": dt.datetime.now(dt.UTC).isoformat(),
        "load_average_at_start": os.getloadavg(),
    }
    if earlier:
        rerun = {key: out[key] for key in ("started_at", "load_average_at_start")}
        out = {
            **earlier,
            "partial_runs": [*earlier.get("partial_runs", []), {"only": sorted(only), **rerun}],
        }

    def step(name: str, fn) -> None:
        print(f"[{meta['referrals']:,}] {name} ...", flush=True)
        started = time.perf_counter()
        out[name] = fn()
        out[name + "_wall_seconds"] = round(time.perf_counter() - started, 1)
        Path(args.out).write_text(json.dumps(out, indent=2, default=str))

    if "steady" in only:
        step("sweep_steady", lambda: steady_sweep(now, args.sweep_runs))
    if "pages" in only:
        step(
            "pages",
            lambda: pages(meta, seconds=args.page_seconds, concurrency=args.page_concurrency),
        )
    if "delivery" in only:
        step("delivery", lambda: delivery(meta, messages=args.messages))
    if "submission" in only:
        step(
            "submission",
            lambda: submission(
                meta, seconds=args.seconds, concurrency=args.concurrency, paced_rate=args.paced_rate
            ),
        )
    if "catchup" in only:
        sizes = [int(s) for s in args.catch_up.split(",") if s]
        step("sweep_catch_up", lambda: {str(k): catch_up(k, now) for k in sizes})
    reset_to_generated()
    vacuum_analyze()
    out["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
