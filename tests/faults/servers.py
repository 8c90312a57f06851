"""Private servers for fault injection: a throwaway PostgreSQL cluster, a
Redis, a mail sink, and the portal's own processes (gunicorn, Celery workers
and beats), all on spare loopback ports, so they can be stopped, killed and
restarted without touching any server anyone else uses.

Every process is started in its own session (process group) and stopped by
group; the cluster's files live in a temporary folder removed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import glob
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    # /usr/lib/postgresql/<version>/bin/initdb
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_binaries() -> str | None:
    """Why the fault tests cannot run here, or None if they can."""
    if postgres_bin() is None:
        return "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)"
    if shutil.which("redis-server") is None:
        return "redis-server not found on PATH"
    return None


def free_port() -> int:
    """A free port below the kernel's ephemeral range. A port the kernel
    hands out for `bind(0)` comes from that range, and between our closing
    it and a server binding it, any outgoing connection (to PostgreSQL, say)
    may be given it as its local port; ports below the range never are."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def wait_for(
    condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop_group(
    process: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 20
) -> None:
    """Stop a process and everything it started."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary folder. As root the
    server runs as the `postgres` user (PostgreSQL refuses to run as root)."""

    def __init__(self, root: Path) -> None:
        found = postgres_bin()
        assert found is not None
        self.bin = found
        self.port = free_port()
        self.dir = root / "pg"
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.run_as: list[str] = []
        self.dir.mkdir()
        self.log.touch()
        if os.geteuid() == 0:
            self.run_as = ["runuser", "-u", "postgres", "--"]
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            os.chown(self.log, user.pw_uid, user.pw_gid)

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # Output to the log file, never a pipe: a server started by pg_ctl
        # would hold the pipe open and the call would never return.
        with self.log.open("a") as log:
            return subprocess.run(
                [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
                check=check,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=120,
            )

    def init(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._ctl("-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection is cut, the server comes back."""
        self._ctl("-m", "fast", "-l", str(self.log), "-w", "restart")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.log = root / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), timeout=20, what="Redis to listen")

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, sig=signal.SIGKILL)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@dataclass
class Delivery:
    key: str
    to: str
    subject: str
    at: float


@dataclass
class MailSink:
    """An SMTP server that records every message it accepts with the
    outbox's idempotency key (the X-Front-Door-Message-Id header), after an
    optional delay per message.

    `deliveries` is what arrived, repeats included (delivery is at least
    once); `counts()` per key tells repeats apart, which a receiver that
    drops repeats by key would keep once.
    """

    delay: float = 0.0
    port: int = field(default_factory=free_port)
    deliveries: list[Delivery] = field(default_factory=list)
    in_flight: dict[int, float] = field(default_factory=dict)  # sender's port -> since
    lock: threading.Lock = field(default_factory=threading.Lock)
    interrupted: int = 0  # messages whose sender vanished before our reply
    held_port: int | None = None

    def start(self) -> None:
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def hold_next(self) -> None:
        """Keep the next message's final reply back until `release()`, so
        its sender can be caught in the middle of the delivery."""
        self.held_port = None
        self._release = threading.Event()
        self._hold = True

    def release(self) -> None:
        self._release.set()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        peer_port = session.peer[1]
        with self.lock:
            self.in_flight[peer_port] = time.monotonic()
            held, self._hold = getattr(self, "_hold", False), False
        try:
            if held:
                # The whole message is here and is kept (the pessimistic
                # case: a server that has taken it in delivers it even if its
                # sender never hears the reply); the sender waits for the reply.
                self._record(envelope)
                self.held_port = peer_port
                deadline = time.monotonic() + 30
                while not self._release.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                return "250 Message accepted for delivery"
            if self.delay:
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            # The sender went away before our reply.
            with self.lock:
                self.interrupted += 1
            raise
        finally:
            with self.lock:
                self.in_flight.pop(peer_port, None)
        self._record(envelope)
        return "250 Message accepted for delivery"

    def _record(self, envelope) -> None:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.deliveries.append(
                Delivery(
                    key=message.get("X-Front-Door-Message-Id", ""),
                    to=",".join(envelope.rcpt_tos),
                    subject=message.get("Subject", ""),
                    at=time.monotonic(),
                )
            )

    def counts(self) -> Counter:
        with self.lock:
            return Counter(d.key for d in self.deliveries)


class FaultyRelay:
    """A TCP relay in front of the mail sink that the test switches between:

    - "pass": every connection goes through to the sink;
    - "hang": connections are accepted and never answered (a relay that hangs);
    - "refuse": connections are refused (the relay is down).
    A switch applies to new connections and to those already open."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.mode = "pass"
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self.connections: Counter = Counter()

    def start(self) -> None:
        self._listen()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _listen(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._listener = listener

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                mode = self.mode
                self.connections[mode] += 1
                self._open.append(client)
            if mode == "hang":
                continue  # accepted, never answered, held open
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.append(upstream)

        def replies() -> None:
            # The sink's replies always flow back: a reply to a message the
            # sink has taken must reach the sender, or it would send again.
            try:
                while chunk := upstream.recv(65536):
                    client.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=replies, daemon=True).start()
        try:
            while chunk := client.recv(65536):
                if self.mode != "pass":
                    # The relay has stopped passing things on: what the sender
                    # says from now on never reaches the sink (and no reply
                    # comes), as with a relay that hangs or goes down.
                    return
                upstream.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)

    def switch(self, mode: str) -> None:
        """Change what the relay does. Open connections stop passing commands
        on at once; when the relay goes down ("refuse") they are then cut,
        after a moment for replies already on their way."""
        with self._lock:
            self.mode = mode
        if mode == "refuse":
            time.sleep(0.5)
            with self._lock:
                cut, self._open = self._open, []
            for conn in cut:
                with contextlib.suppress(OSError):
                    conn.close()
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        elif self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._stopping.set()
        self.switch("refuse")


class AgencyEndpoint:
    """An agency's webhook endpoint on this machine: answers 200 at once, or,
    switched to "trickle", reads the request and answers one byte every
    `trickle_every` seconds for as long as the caller waits."""

    def __init__(self, trickle_every: float = 1.0) -> None:
        self.port = free_port()
        self.mode = "ok"
        self.trickle_every = trickle_every
        self.received: list[tuple[str, float]] = []  # (message id, when)
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/front-door"

    def start(self) -> None:
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
                )
                length = int(headers.get("Content-Length", "0"))
                while len(body) < length:
                    body += conn.recv(65536)
                key = headers.get("X-Front-Door-Message-Id", "")
                if self.mode == "trickle":
                    reply = b"HTTP/1.1 200 OK\r\nX-Thinking: " + b"." * 100_000
                    for i in range(len(reply)):
                        if self._stopping.is_set() or self.mode != "trickle":
                            return
                        conn.sendall(reply[i : i + 1])
                        time.sleep(self.trickle_every)
                    return
                self.received.append((key, time.monotonic()))
                conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                return

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()


def pid_with_local_port(port: int, candidates: list[int]) -> int | None:
    """Which of these processes owns the TCP connection from this local
    port (read from /proc: the socket's inode, then each process's files)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in candidates:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return pid
    return None


class Portal:
    """The portal's processes, as in production: gunicorn, Celery workers
    (solo pool: the process that sends is the process we kill) and beats."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.web_port = free_port()
        self.web: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.kinds: dict[str, str] = {}
        self.beats: dict[str, subprocess.Popen] = {}
        self.logs = root / "logs"
        self.logs.mkdir()
        self._count = 0

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        return subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=(self.logs / f"{name}.log").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout + result.stderr

    def run_python(self, module: str, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [PYTHON, "-m", module, *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"{module} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_web(self, *, workers: int, threads: int) -> None:
        self.web = self._start(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            "web",
        )

    # Each kind of worker takes its own queues, as in production
    # (docker-compose.yml): the sweep never waits behind a delivery.
    QUEUES = {
        "escalation": "escalation,frontdoor-faults",
        "email": "email",
        "webhooks": "webhooks",
    }

    def start_worker(self, kind: str = "email") -> str:
        self._count += 1
        name = f"{kind}{self._count}"
        self.kinds[name] = kind
        self.workers[name] = self._start(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                self.QUEUES[kind],
                "-n",
                f"{name}@%h",
            ],
            name,
        )
        return name

    def start_workers(self, *, escalation: int, email: int, webhooks: int) -> None:
        for kind, count in (("escalation", escalation), ("email", email), ("webhooks", webhooks)):
            for _ in range(count):
                self.start_worker(kind)

    def start_beat(self) -> str:
        name = f"beat{len(self.beats) + 1}"
        self.beats[name] = self._start(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(self.root / f"{name}-schedule"),
            ],
            name,
        )
        return name

    def send_tasks(self, **counts: int) -> None:
        """Queue tasks directly, e.g. send_tasks(**{"referrals.tasks.sweep_overdue_referrals": 6}),
        so several workers run them at the same moment."""
        code = (
            "import sys, json; from portal.celery import app\n"
            "for name, n in json.loads(sys.argv[1]).items():\n"
            "    [app.send_task(name) for _ in range(n)]\n"
        )
        subprocess.run(
            [PYTHON, "-c", code, json.dumps(counts)],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def worker_pids(self) -> dict[int, str]:
        return {p.pid: name for name, p in self.workers.items() if p.poll() is None}

    def kill_worker(self, name: str) -> None:
        """SIGKILL: no clean-up, no chance to mark anything."""
        process = self.workers.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in [
            *self.beats.values(),
            *self.workers.values(),
            *([self.web] if self.web else []),
        ]:
            stop_group(process)
        self.beats.clear()
        self.workers.clear()

    def errors(self) -> str:
        """The web server's logged errors and their tracebacks."""
        text = (self.logs / "web.log").read_text(errors="replace")
        return "\n".join(
            block for block in text.split("\n20") if "Traceback" in block or " ERROR " in block
        )

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )


def make_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="frontdoor-faults-"))
