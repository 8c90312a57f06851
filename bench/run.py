"""Run the standard benchmark set and write bench/results/*.json and docs/benchmarks.md.

    python -m bench.run                      # what `make bench` runs
    python -m bench.run --scales 10000 --soak-seconds 120 --helpdesk 1000   # a quick look

Steps:
1. Note the machine and versions (bench/results/machine.json).
2. For each scale: a PostgreSQL database `frontdoor_bench_<scale>`, migrated
   and generated (kept between runs: it is regenerated only if missing or of
   another size), then bench/scenarios.py against it.
3. django-helpdesk's escalate_tickets on `frontdoor_bench_helpdesk`.
4. The memory soak on `frontdoor_bench_soak` (10,000 referrals).
5. bench/report.py turns the JSON into docs/benchmarks.md.

Databases are reached at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/) and the broker at BENCH_BROKER_URL
(default redis://127.0.0.1:6379/14). Each step runs in its own process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def label(scale: int) -> str:
    return f"{scale // 1_000_000}m" if scale % 1_000_000 == 0 else f"{scale // 1000}k"


def database_url(name: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    return base.rstrip("/") + "/" + name


def env_for(name: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url(name),
                "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
                "DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], *, log: str) -> float:
    started = time.perf_counter()
    print(f"$ {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)
    seconds = time.perf_counter() - started
    print(f"  ({log}: {seconds:.0f} s)", flush=True)
    return seconds


def ensure_database(name: str) -> bool:
    """Create the database if missing; True if it was created."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        return not exists


def drop_database(name: str) -> None:
    import psycopg

    if not name.startswith("frontdoor_bench"):
        raise RuntimeError(f"Refusing to drop {name}: not a benchmark database")
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def generated_size(name: str) -> int | None:
    import psycopg

    with psycopg.connect(database_url(name)) as conn:
        if conn.execute("SELECT to_regclass('bench_meta')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT value FROM bench_meta WHERE key = 'referrals'").fetchone()
        return int(row[0]) if row else None


def prepare(name: str, scale: int, timings: dict) -> None:
    ensure_database(name)
    if generated_size(name) not in (None, scale):
        drop_database(name)
        ensure_database(name)
    env = env_for(name)
    run(["manage.py", "migrate", "--noinput", "-v0"], env, log="migrate")
    if generated_size(name) is None:
        timings[f"generate_{label(scale)}"] = run(
            ["manage.py", "generate_bench_data", "--referrals", str(scale), "-v2"], env, log="generate")


def machine() -> dict:
    import django
    import psutil
    import psycopg

    def version(package: str) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v

        try:
            return v(package)
        except PackageNotFoundError:
            return "not installed"

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with psycopg.connect(database_url("postgres")) as conn:
        pg = conn.execute("SELECT version()").fetchone()[0]
        settings = dict(conn.execute(
            "SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'work_mem', 'wal_level')"
        ).fetchall())
    return {
        "cpu": cpu, "logical_cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(), "python": platform.python_version(), "django": django.get_version(),
        "postgresql": pg, "postgresql_settings": settings, "psycopg": psycopg.__version__,
        "gunicorn": version("gunicorn"), "celery": version("celery"), "django_helpdesk": version("django-helpdesk"),
        "aiosmtpd": version("aiosmtpd"), "psutil": version("psutil"),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--catch-up", default="10000,100000")
    parser.add_argument("--helpdesk", default="1000,10000", help="ticket counts for django-helpdesk ('' to skip)")
    parser.add_argument("--soak-seconds", type=float, default=1800)
    parser.add_argument("--seconds", type=float, default=30, help="duration of each submission run")
    parser.add_argument("--page-seconds", type=float, default=20)
    parser.add_argument("--only", default="", help="passed to bench.scenarios")
    parser.add_argument("--skip", default="", help="comma list of: scales, helpdesk, soak")
    parser.add_argument("--keep-history", action="store_true",
                        help="add to bench/results/run.json instead of starting it afresh (for a run in parts)")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    skip = set(args.skip.split(","))
    started = dt.datetime.now(dt.UTC)
    timings: dict = {}
    (RESULTS / "machine.json").write_text(json.dumps(machine(), indent=2))
    scales = [int(s) for s in args.scales.split(",") if s]
    if "scales" not in skip:
        for scale in scales:
            name = f"frontdoor_bench_{label(scale)}"
            prepare(name, scale, timings)
            extra = ["--only", args.only] if args.only else []
            timings[f"scenarios_{label(scale)}"] = run(
                ["-m", "bench.scenarios", "--out", str(RESULTS / f"scale-{label(scale)}.json"),
                 "--catch-up", args.catch_up, "--seconds", str(args.seconds),
                 "--page-seconds", str(args.page_seconds), *extra],
                env_for(name), log=f"scenarios at {scale:,}")
    if args.helpdesk and "helpdesk" not in skip:
        name = "frontdoor_bench_helpdesk"
        ensure_database(name)
        env = env_for(name, DJANGO_SETTINGS_MODULE="bench.helpdesk_settings", HELPDESK_DATABASE_NAME=name)
        run(["manage.py", "migrate", "--noinput", "-v0"], env, log="migrate helpdesk")
        timings["helpdesk"] = run(["-m", "bench.helpdesk_bench", "--tickets", args.helpdesk,
                                   "--out", str(RESULTS / "helpdesk.json")], env, log="django-helpdesk")
    if args.soak_seconds and "soak" not in skip:
        name = "frontdoor_bench_soak"
        prepare(name, 10_000, timings)
        timings["soak"] = run(["-m", "bench.soak", "--seconds", str(args.soak_seconds),
                               "--out", str(RESULTS / "soak.json")], env_for(name), log="soak")
    run_file = RESULTS / "run.json"
    previous = json.loads(run_file.read_text()) if run_file.exists() else {}
    invocation = {"started_at": started.isoformat(), "finished_at": dt.datetime.now(dt.UTC).isoformat(),
                  "arguments": " ".join(sys.argv[1:]) or "(defaults)"}
    if not args.keep_history:
        previous = {}
    previous.setdefault("invocations", []).append(invocation)
    previous.update(invocation)
    previous.setdefault("step_seconds", {}).update({k: round(v) for k, v in timings.items()})
    run_file.write_text(json.dumps(previous, indent=2))
    subprocess.run([sys.executable, "-m", "bench.report"], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
