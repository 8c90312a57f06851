"""Start and stop the processes the benchmarks talk to: gunicorn (the web
server as in production), a Celery worker, and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.faults.servers import free_port  # a port no outgoing connection can take

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Nothing answered on port {port}")


def server_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "DATABASE_CONN_MAX_AGE": "60",  # as in docker-compose.yml
            "API_RATE_LIMIT": "1000000/minute",  # the benchmark is the only client
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    env.update(extra)
    return env


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(*, workers: int = 3, env: dict[str, str] | None = None):
    """The web server as docker-compose.yml runs it (3 sync workers)."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env or server_env(),
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield process, port
    finally:
        _stop(process)


@contextmanager
def smtp_sink():
    """aiosmtpd's Sink handler: accepts every message and keeps none."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield process, port
    finally:
        _stop(process)


@contextmanager
def celery_worker(*, env: dict[str, str], concurrency: int = 2):
    """A worker as in docker-compose.yml (prefork, concurrency 2)."""
    process = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "portal",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)
        yield process
    finally:
        _stop(process)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (psutil)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total
