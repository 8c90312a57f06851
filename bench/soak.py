"""Memory over a soak: gunicorn and a Celery worker under steady work.

    DATABASE_URL=.../frontdoor_bench_soak python -m bench.soak --seconds 1800 --out soak.json

The web server takes API submissions (paced) and the managers' dashboard;
every ten seconds the worker runs the escalation sweep and the outbox
dispatcher (emails to an aiosmtpd sink). psutil samples the resident memory
of each process tree (master and children) every 15 seconds. Growth is the
median of the last tenth of the samples over the median of the first tenth,
after a warm-up minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1800)
    parser.add_argument("--rate", type=float, default=5.0, help="API submissions a second")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from accounts.tokens import issue_personal_token
    from audit.services import WEB
    from bench import loadgen, servers
    from bench.generator import load_meta
    from bench.scenarios import session_for
    from portal.celery import app

    meta = load_meta()
    senders = [u for _, users in meta["front_door"]["partners"] for u in users][:20]
    # Personal API tokens, as each sender makes one under Your account.
    User = get_user_model()
    tokens = [
        issue_personal_token(user=User.objects.get(pk=u), name="soak", days=1, origin=WEB)[1]
        for u in senders
    ]
    manager_session = session_for(get_user_model().objects.get(pk=meta["front_door"]["manager"]))
    body = (ROOT / "docs/api/example-referral.json").read_bytes()
    samples: list[dict] = []
    tasks_sent = {"sweeps": 0, "dispatches": 0}
    with servers.smtp_sink() as (_, smtp_port):
        env = servers.server_env(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
        )
        with servers.gunicorn(env=env) as (web, port), servers.celery_worker(env=env) as worker:
            stop = threading.Event()

            def background() -> None:
                started = time.monotonic()
                last_sample = 0.0
                while not stop.is_set():
                    app.send_task("referrals.tasks.sweep_overdue_referrals")
                    app.send_task("notifications.tasks.dispatch_email")
                    tasks_sent["sweeps"] += 1
                    tasks_sent["dispatches"] += 1
                    now = time.monotonic()
                    if now - last_sample >= 15:
                        last_sample = now
                        samples.append(
                            {
                                "t": round(now - started, 1),
                                "web_mb": round(servers.tree_rss(web.pid) / 2**20, 1),
                                "worker_mb": round(servers.tree_rss(worker.pid) / 2**20, 1),
                            }
                        )
                    stop.wait(10)

            thread = threading.Thread(target=background, daemon=True)
            thread.start()

            def make(i: int) -> bytes:
                if i % 5 == 4:
                    return loadgen.build_request(
                        "GET",
                        "/front-door/dashboard/",
                        port=port,
                        headers={"Cookie": f"sessionid={manager_session}"},
                    )
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

            deadline = time.monotonic() + args.seconds
            runs = []
            while time.monotonic() < deadline:
                chunk = min(60.0, deadline - time.monotonic())
                if chunk < 1:
                    break
                runs.append(
                    loadgen.paced(port, make, rate=args.rate * 1.25, seconds=chunk).summary()
                )
            stop.set()
            thread.join()
    steady = [s for s in samples if s["t"] >= 60] or samples
    tenth = max(1, len(steady) // 10)

    def growth(key: str) -> dict:
        first = statistics.median(s[key] for s in steady[:tenth])
        last = statistics.median(s[key] for s in steady[-tenth:])
        return {
            "first_mb": first,
            "last_mb": last,
            "growth_pct": round((last - first) / first * 100, 1),
            "max_mb": max(s[key] for s in samples),
        }

    requests = sum(r["requests"] for r in runs)
    out = {
        "seconds": args.seconds,
        "rate_per_s": args.rate,
        "requests": requests,
        "errors": sum(r["errors"] for r in runs),
        "p95_ms_by_minute": [r["p95_ms"] for r in runs],
        "tasks_sent": tasks_sent,
        "web": growth("web_mb"),
        "worker": growth("worker_mb"),
        "samples": samples,
    }
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(
        f"[soak] web {out['web']['growth_pct']}%, worker {out['worker']['growth_pct']}%", flush=True
    )


if __name__ == "__main__":
    main()
