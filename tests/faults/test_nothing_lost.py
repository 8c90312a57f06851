"""Nothing is lost: submissions under load while Redis is stopped and
restarted, a Celery worker is killed (SIGKILL) in the middle of sending an
email, and PostgreSQL is restarted; two beats and several workers run the
sweep and the dispatcher at once throughout.

Afterwards:
- every submission that got a receipt is in the database with its history,
  timeline, audit event and outbox rows; every one that did not got a clear
  error (503, Retry-After, a message) and left nothing half-done;
- every email is delivered, each outbox row's idempotency key reaching the
  mail server, none twice once repeats are dropped by key (raw repeats from
  the at-least-once delivery are counted and reported);
- every overdue referral is escalated exactly once per level, and the
  escalation emails are sent once each;
- no server errors.

`FRONTDOOR_FAULTS=fast` (the default, run by `make test`) uses a small load;
`make faults` runs the full load and writes the figures to
FRONTDOOR_FAULTS_FIGURES.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import a_document
from tests.faults.conftest import Stack
from tests.faults.load import Http, Load
from tests.faults.servers import BASE_DIR, pid_with_local_port, wait_for

pytestmark = [pytest.mark.faults]


class Faults(threading.Thread):
    """Injects the faults while the load runs, each when a given share of the
    submissions has finished, so each one lands in the middle of the load."""

    def __init__(self, stack: Stack, load: Load, total: int) -> None:
        super().__init__(daemon=True)
        self.stack, self.load, self.total = stack, load, total
        self.log: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.started = time.monotonic()

    def _when(self, share: float, *, gap: float = 3.0) -> None:
        """Once `share` of the submissions are done, and at least `gap`
        seconds after the previous fault, so each lands on its own."""
        while self.load.done < share * self.total or (
            self.log and time.monotonic() - self.started - self.log[-1]["at_seconds"] < gap
        ):
            time.sleep(0.05)

    def _note(self, fault: str, **details: Any) -> None:
        self.log.append(
            {
                "fault": fault,
                "at_submissions_done": self.load.done,
                "at_seconds": round(time.monotonic() - self.started, 1),
                **details,
            }
        )

    def run(self) -> None:
        try:
            self._redis_outage()
            self._kill_worker_mid_delivery()
            self._restart_postgres()
            time.sleep(3)  # and submissions carry on a little after the last fault
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def _redis_outage(self) -> None:
        self._when(0.10)
        stack = self.stack
        started = time.monotonic()
        self._note("redis stopping")
        stack.redis.stop()
        time.sleep(stack.scale.redis_down_seconds / 2)
        health = Http(stack.portal.web_port).request("GET", "/healthz")
        time.sleep(stack.scale.redis_down_seconds / 2)
        stack.redis.start()
        self._note(
            "redis restarted",
            down_seconds=round(time.monotonic() - started, 1),
            healthz_during=health[0],
            healthz_problems=json.loads(health[2]).get("problems"),
        )

    def _kill_worker_mid_delivery(self) -> None:
        """The mail server takes in the next email and keeps its reply back;
        the worker sending it is killed while it waits for that reply."""
        self._when(0.35)
        stack = self.stack
        stack.sink.hold_next()
        try:
            wait_for(
                lambda: stack.sink.held_port is not None,
                timeout=60,
                every=0.02,
                what="a worker to start sending an email",
            )
            workers = stack.portal.worker_pids()
            held_port = stack.sink.held_port
            assert held_port is not None  # waited for above
            pid = pid_with_local_port(held_port, list(workers))
            assert pid in workers, (
                f"the email is being sent by {pid}, not one of the workers {workers}"
            )
            stack.portal.kill_worker(workers[pid])
            # Released only once the mail server has seen the sender go.
            wait_for(
                lambda: stack.sink.interrupted == 1,
                timeout=10,
                every=0.02,
                what="the mail server to see the sender gone",
            )
        finally:
            stack.sink.release()
        replacement = stack.portal.start_worker(stack.portal.kinds[workers[pid]])
        self._note(
            "worker killed with SIGKILL while sending an email",
            worker=workers[pid],
            replacement=replacement,
        )

    def _restart_postgres(self) -> None:
        self._when(0.60)
        started = time.monotonic()
        self._note("postgresql restarting")
        self.stack.pg.restart()
        self._note(
            "postgresql back (pg_ctl restart -m fast)",
            restart_seconds=round(time.monotonic() - started, 1),
        )


def warm_up(port: int, key: str, *, requests: int) -> None:
    """A few reads first, so each gunicorn worker has loaded the portal before
    the clock starts."""
    with ThreadPoolExecutor(max_workers=requests) as pool:
        list(
            pool.map(
                lambda _: Http(port).request(
                    "GET", "/api/v1/referrals/", headers={"Authorization": f"Bearer {key}"}
                ),
                range(requests),
            )
        )


def query(stack: Stack, sql: str, params: Any = None) -> list[tuple]:
    with psycopg.connect(stack.db_url) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(stack: Stack, sql: str, params: Any = None) -> Any:
    return query(stack, sql, params)[0][0]


def told_twice_of_one_escalation(stack: Stack) -> int:
    """How many times a person was told more than once that one referral was
    escalated at one step. An escalation email names its step (the step's
    summary line) and the referrals it covers (one, or a sweep's batch)."""
    from referrals.escalation.ladder import STEP_SUMMARIES

    steps = sorted((text for text in STEP_SUMMARIES.values() if text), key=len, reverse=True)
    told: Counter[tuple[str, str, str]] = Counter()
    for to_address, body in query(
        stack,
        "SELECT to_address, body FROM notifications_notification WHERE purpose = 'escalation'",
    ):
        step = next((text for text in steps if text in body), "")
        for reference in set(re.findall(r"\bFD-[0-9A-Z]{4}-[0-9A-Z]{4}\b", body)):
            told[(to_address, step, reference)] += 1
    return sum(1 for times in told.values() if times > 1)


def email_outbox(stack: Stack) -> dict[str, str]:
    return {
        str(key): status
        for key, status in query(
            stack,
            "SELECT idempotency_key, status FROM notifications_notification WHERE channel = "
            "'email'",
        )
    }


def drained(stack: Stack) -> bool:
    outbox = email_outbox(stack)
    delivered = set(stack.sink.counts())
    return bool(outbox) and all(s == "sent" for s in outbox.values()) and set(outbox) <= delivered


def versions(stack: Stack) -> dict[str, str]:
    import celery
    import django
    import gunicorn

    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True
    ).stdout
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "celery": celery.__version__,
        "gunicorn": gunicorn.__version__,
        "postgresql": scalar(stack, "SHOW server_version"),
        "redis": redis_version.split("v=")[1].split()[0]
        if "v=" in redis_version
        else redis_version.strip(),
    }


def test_nothing_is_lost_when_redis_a_worker_and_postgresql_fail_under_load(stack: Stack) -> None:
    scale, portal = stack.scale, stack.portal
    started = time.monotonic()
    portal.start_web(workers=scale.web_workers, threads=scale.web_threads)
    # Two sweepers at once (exactly once), the email workers under test, and
    # one for webhooks.
    portal.start_workers(escalation=2, email=scale.workers, webhooks=1)
    stack.seed_data()  # while they start
    # A burst of sweeps and dispatches for every worker to run at once, on
    # top of what both beats send.
    portal.send_tasks(
        **{
            "referrals.tasks.sweep_overdue_referrals": 6,
            "notifications.tasks.dispatch_email": 3 * scale.workers,
        }
    )
    for _ in range(scale.beats):
        portal.start_beat()
    # Steady state before the load: web, beat and a worker all running (a
    # sweep has succeeded); the seeded week-old emails may still be queued.
    wait_for(
        lambda: (
            set(json.loads(Http(portal.web_port).request("GET", "/healthz")[2])["problems"])
            <= {"outbox"}
        ),
        timeout=120,
        what="gunicorn, beat and a worker to start",
    )
    warm_up(portal.web_port, stack.seed["api_keys"][0], requests=4 * scale.web_workers)

    load = Load(portal.web_port)
    senders = [(load.signed_in(s["session"]), s["drafts"]) for s in stack.seed["senders"]]
    at_least = scale.api_submissions + scale.forms_each * len(senders)
    faults = Faults(stack, load, at_least)
    faults.start()
    load_started = time.monotonic()
    load.run(
        api_keys=stack.seed["api_keys"],
        api_count=scale.api_submissions,
        api_threads=scale.api_threads,
        document=a_document(),
        senders=senders,
        form_count=scale.forms_each,
        keep_going=faults.is_alive,
    )
    load_seconds = time.monotonic() - load_started
    total = len(load.submissions)
    faults.join(timeout=120)
    assert faults.error is None, f"{faults.error}\n{portal.log_tail('email3')}"
    assert len(faults.log) == 5, faults.log

    # Recovery: every email out, every overdue referral escalated, then a
    # quiet spell in which nothing more is sent or escalated.
    recovery_started = time.monotonic()
    expected = 4 * len(stack.seed["overdue"]) + len(stack.seed["due_during_load"])
    wait_for(
        lambda: scalar(stack, "SELECT count(*) FROM referrals_escalation") >= expected,
        timeout=scale.drain_timeout,
        what="the sweep to escalate every overdue referral",
    )
    wait_for(
        lambda: drained(stack),
        timeout=scale.drain_timeout,
        every=1,
        what=f"the outbox to drain\n{portal.log_tail('email3')}",
    )
    recovery_seconds = time.monotonic() - recovery_started
    escalations_before, deliveries_before = (
        scalar(stack, "SELECT count(*) FROM referrals_escalation"),
        len(stack.sink.deliveries),
    )
    # What a sweep would still escalate: nothing (checked during the quiet spell).
    dry_run = subprocess.Popen(
        [sys.executable, "manage.py", "sweep_overdue", "--dry-run"],
        cwd=BASE_DIR,
        env=portal.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(5)  # two or more sweeps and dispatches by each beat
    assert scalar(stack, "SELECT count(*) FROM referrals_escalation") == escalations_before
    assert drained(stack)
    quiet_extra_deliveries = len(stack.sink.deliveries) - deliveries_before
    health = Http(portal.web_port).request("GET", "/healthz")
    dry_run_output = dry_run.communicate(timeout=120)[0]

    figures = measure(
        stack,
        load,
        faults,
        total=total,
        load_seconds=load_seconds,
        recovery_seconds=recovery_seconds,
        started=started,
        healthz_after=health[0],
        quiet_extra_deliveries=quiet_extra_deliveries,
    )
    destination = os.environ.get("FRONTDOOR_FAULTS_FIGURES")
    if destination:
        # The delivery fault test writes its own section to the same file: keep it.
        path = Path(destination)
        kept = json.loads(path.read_text()) if path.exists() else {}
        written = dict(figures)
        if "delivery_faults" in kept:
            written["delivery_faults"] = kept["delivery_faults"]
        path.write_text(json.dumps(written, indent=2) + "\n")
    print("\n" + json.dumps(figures, indent=2))

    f = figures
    assert f["submissions"]["server_errors"] == 0, portal.errors()
    assert f["submissions"]["unclear_errors"] == 0, f["submissions"]["error_statuses"]
    assert f["submissions"]["without_receipt"] == 0
    assert f["lost"]["receipted_but_missing"] == 0
    assert f["lost"]["receipted_but_incomplete"] == 0
    assert f["lost"]["half_done_after_error"] == 0
    assert f["lost"]["referrals_nobody_was_told_about"] == 0
    assert f["duplicated"]["referrals"] == 0
    assert f["emails"]["outbox_rows_not_sent"] == 0
    assert f["emails"]["outbox_rows_never_received"] == 0
    assert f["emails"]["received_without_outbox_row"] == 0
    assert f["emails"]["duplicate_outbox_rows"] == 0
    # Repeats at the mail server only where a sender was killed after the
    # server had the message: never from the database restart or the sweeps.
    assert (
        f["emails"]["raw_repeats_dropped_by_key"]
        <= f["emails"]["sender_killed_before_the_servers_reply"]
    )
    assert f["escalations"]["duplicate_rows"] == 0
    assert f["escalations"]["duplicate_emails"] == 0
    assert f["escalations"]["overdue_not_escalated_at_every_level"] == 0
    assert f["escalations"]["due_during_load_not_escalated_once"] == 0
    assert f["escalations"]["rows"] == f["escalations"]["expected"]
    assert "0 escalation(s) would happen" in dry_run_output, dry_run_output
    assert f["healthz_after_recovery"] == 200
    assert f["emails"]["sent_during_quiet_spell"] == 0
    # The fault log must show each fault really happened.
    redis_fault = faults.log[1]
    assert redis_fault["healthz_during"] == 503 and "broker" in redis_fault["healthz_problems"]


def repeats_by_fault(stack: Stack, faults: Faults, counts: Counter) -> dict[str, int]:
    """For each message the mail server accepted more than once, the fault
    nearest in time to its first acceptance (the sender died or lost the
    database between the server's 250 and marking the row sent)."""
    first: dict[str, float] = {}
    for delivery in stack.sink.deliveries:
        first.setdefault(delivery.key, delivery.at - faults.started)
    result: Counter = Counter()
    for key, count in counts.items():
        if count > 1:
            nearest = min(faults.log, key=lambda f: abs(f["at_seconds"] - first[key]))
            near = abs(nearest["at_seconds"] - first[key]) <= 15
            result[nearest["fault"] if near else "no fault nearby"] += count - 1
    return dict(result)


def measure(stack: Stack, load: Load, faults: Faults, **run: Any) -> dict[str, Any]:
    subs = load.submissions
    receipted = [s for s in subs if s.receipted]
    references = [s.reference for s in receipted]
    attempts = [a for s in subs for a in s.attempts]
    error_attempts = [a for a in attempts if a.status not in (201, 302)]
    server_errors = [
        a for a in attempts if isinstance(a.status, int) and a.status >= 500 and a.status != 503
    ]
    unclear = [a for a in error_attempts if not a.clear]

    found = {
        ref
        for (ref,) in query(
            stack,
            "SELECT reference FROM referrals_referral WHERE reference = ANY(%s)",
            (references,),
        )
    }
    # For each receipted referral: its first version in history, its
    # 'submitted' timeline entry, its audit event, its children's history and
    # its outbox rows, all from the one transaction.
    complete = query(
        stack,
        """
        SELECT r.reference,
               (SELECT count(*) FROM referrals_historicalreferral h
                 WHERE h.id = r.id AND h.history_type = '+'),
               (SELECT count(*) FROM referrals_referralevent e
                 WHERE e.referral_id = r.id AND e.kind = 'submitted'),
               (SELECT count(*) FROM audit_auditevent a
                 WHERE a.object_ref = r.reference AND a.action = 'created'),
               (SELECT count(*) FROM referrals_historicalchild c WHERE c.referral_id = r.id),
               (SELECT count(*) FROM notifications_notification n WHERE n.referral_id = r.id
                  AND n.purpose IN ('receipt', 'arrival'))
          FROM referrals_referral r WHERE r.reference = ANY(%s)""",
        (references,),
    )
    form_refs = {s.reference for s in receipted if s.channel == "form"}
    incomplete = [
        row
        for row in complete
        if row[1:5] != (1, 1, 1, 1) or row[5] != (2 if row[0] in form_refs else 1)
    ]

    # Nothing half-done after an error: an API submission without a receipt
    # left no key record (it shares the referral's transaction); a form
    # submission without a receipt left its draft (deleted in that transaction).
    failed_api = [s.ident for s in subs if s.channel == "api" and not s.receipted]
    failed_forms = [
        s.ident for s in subs if s.channel == "form" and not s.receipted and not s.already_sent
    ]
    half_done = (
        scalar(
            stack,
            "SELECT count(*) FROM referrals_idempotencyrecord WHERE key = ANY(%s)",
            (failed_api,),
        )
        if failed_api
        else 0
    )
    drafts_gone = len(failed_forms) - (
        scalar(
            stack,
            "SELECT count(*) FROM referrals_draft WHERE id = ANY(%s::uuid[])",
            (failed_forms,),
        )
        if failed_forms
        else 0
    )
    total_referrals = scalar(stack, "SELECT count(*) FROM referrals_referral")
    already_sent = sum(1 for s in subs if s.already_sent)
    seeded = len(stack.seed["overdue"]) + len(stack.seed["due_during_load"])
    unaccounted = total_referrals - seeded - len(set(references)) - already_sent

    outbox = email_outbox(stack)
    counts = stack.sink.counts()
    escalation_dupes = scalar(
        stack,
        """SELECT count(*) FROM (SELECT 1 FROM referrals_escalation
        GROUP BY referral_id, rule, subject_id, level HAVING count(*) > 1) d""",
    )
    # The same message owed twice: same referral, purpose, subject and
    # recipient. A managers' summary of several referrals names no one
    # referral; its body lists them, so two summaries are the same message
    # only if they list the same referrals (two sweeps that each escalated
    # two referrals both send "Escalation: 2 referrals ...").
    escalation_email_dupes = told_twice_of_one_escalation(stack)
    duplicate_outbox_rows = scalar(
        stack,
        """SELECT count(*) FROM (SELECT 1 FROM notifications_notification
        WHERE channel = 'email'
        GROUP BY COALESCE(referral_id::text, md5(body)), purpose, subject, to_address
        HAVING count(*) > 1) d""",
    )

    def escalations_per_referral(references: list[str]) -> list[tuple[str, int]]:
        return query(
            stack,
            """SELECT r.reference, count(e.id) FROM referrals_referral r
            LEFT JOIN referrals_escalation e ON e.referral_id = r.id WHERE r.reference = ANY(%s)
            GROUP BY r.reference""",
            (references,),
        )

    # Week-old: both levels of both rules. Urgent ones due during the load:
    # the first level of "not acknowledged" (the others are hours away).
    per_overdue = escalations_per_referral(stack.seed["overdue"])
    per_due_during = escalations_per_referral(stack.seed["due_during_load"])
    first_try = [s.attempts[0] for s in subs if s.attempts]
    latencies = sorted(a.seconds for a in attempts)

    return {
        "scale": stack.scale.name,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": versions(stack),
        "processes": {
            "gunicorn": f"{stack.scale.web_workers} workers x {stack.scale.web_threads} threads",
            "celery_workers": stack.scale.workers,
            "celery_beats": stack.scale.beats,
            "sweep_and_dispatch_every_seconds": 2,
            "mail_server_delay_seconds": stack.scale.mail_delay,
            "notification_lease_seconds": stack.scale.lease_seconds,
        },
        "load": {
            "submissions": run["total"],
            "api": sum(1 for s in subs if s.channel == "api"),
            "form": sum(1 for s in subs if s.channel == "form"),
            "concurrent_clients": stack.scale.api_threads + len(stack.seed["senders"]),
            "seconds": round(run["load_seconds"], 1),
            "submissions_per_second": round(run["total"] / run["load_seconds"], 1),
            "http_requests_for_submissions": len(attempts),
            "overdue_referrals_seeded": len(stack.seed["overdue"]),
            "urgent_referrals_falling_due_during_the_load": len(stack.seed["due_during_load"]),
        },
        "faults": faults.log,
        "submissions": {
            "receipted": len(receipted),
            "receipted_first_time": sum(1 for s in receipted if len(s.attempts) == 1),
            "receipted_after_retrying": sum(1 for s in receipted if len(s.attempts) > 1),
            "api_replayed_by_idempotency_key": sum(1 for s in receipted if s.replayed),
            "form_found_already_sent_on_retry": already_sent,
            "without_receipt": sum(1 for s in subs if not s.receipted and not s.already_sent),
            "first_attempt_statuses": dict(Counter(str(a.status) for a in first_try)),
            "error_statuses": dict(Counter(str(a.status) for a in error_attempts)),
            "clear_errors_503": sum(1 for a in error_attempts if a.clear),
            "unclear_errors": len(unclear),
            "server_errors": len(server_errors),
            "request_seconds_p50": round(statistics.median(latencies), 3) if latencies else 0,
            "request_seconds_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3)
            if latencies
            else 0,
            "request_seconds_max": round(latencies[-1], 3) if latencies else 0,
        },
        "lost": {
            "receipted_but_missing": len(set(references) - found),
            "receipted_but_incomplete": len(incomplete),
            "half_done_after_error": half_done + drafts_gone,
            "referrals_nobody_was_told_about": unaccounted,
        },
        "duplicated": {"referrals": len(references) - len(set(references))},
        "emails": {
            "outbox_rows": len(outbox),
            "outbox_rows_not_sent": sum(1 for v in outbox.values() if v != "sent"),
            "deliveries_received_raw": sum(counts.values()),
            "distinct_keys_received": len(counts),
            "outbox_rows_never_received": len(set(outbox) - set(counts)),
            "received_without_outbox_row": len(set(counts) - set(outbox)),
            "raw_repeats_dropped_by_key": sum(c - 1 for c in counts.values()),
            "raw_repeats_by_nearest_fault": repeats_by_fault(stack, faults, counts),
            "duplicate_outbox_rows": duplicate_outbox_rows,
            "sender_killed_before_the_servers_reply": stack.sink.interrupted,
            "sent_during_quiet_spell": run["quiet_extra_deliveries"],
        },
        "escalations": {
            "rows": scalar(stack, "SELECT count(*) FROM referrals_escalation"),
            "expected": 4 * len(stack.seed["overdue"]) + len(stack.seed["due_during_load"]),
            "duplicate_rows": escalation_dupes,
            "escalation_emails": scalar(
                stack,
                "SELECT count(*) FROM notifications_notification WHERE purpose = 'escalation'",
            ),
            "duplicate_emails": escalation_email_dupes,
            "overdue_not_escalated_at_every_level": sum(1 for _, n in per_overdue if n != 4)
            + len(stack.seed["overdue"])
            - len(per_overdue),
            "due_during_load_not_escalated_once": sum(1 for _, n in per_due_during if n != 1)
            + len(stack.seed["due_during_load"])
            - len(per_due_during),
        },
        "slowest_requests": [
            {
                "channel": s.channel,
                "status": a.status,
                "seconds": round(a.seconds, 2),
                "answered_at_seconds": round(a.at - faults.started, 1),
            }
            for s, a in sorted(
                ((s, a) for s in subs for a in s.attempts), key=lambda p: -p[1].seconds
            )[:8]
        ],
        "healthz_after_recovery": run["healthz_after"],
        "seconds": {
            "recovery_after_load": round(run["recovery_seconds"], 1),
            "whole_test": round(time.monotonic() - run["started"], 1),
        },
    }
