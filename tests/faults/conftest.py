"""The fault tests' private stack: PostgreSQL, Redis, a mail sink, gunicorn,
Celery workers and beats, started for the test and always stopped after it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.servers import (
    FaultyRelay,
    MailSink,
    Portal,
    PrivatePostgres,
    PrivateRedis,
    make_root,
    missing_binaries,
)

DB_NAME = "frontdoor_faults"


@dataclass(frozen=True)
class Scale:
    name: str
    api_submissions: int
    api_threads: int
    api_keys: int
    form_users: int
    forms_each: int  # at least; more while faults are still being injected
    drafts_each: int
    overdue: int
    due_during_load: int  # urgent referrals whose deadline passes during the load...
    due_window: tuple[int, int]  # ...this many seconds after seeding
    web_workers: int
    web_threads: int
    workers: int
    beats: int
    mail_delay: float
    redis_down_seconds: float
    lease_seconds: int
    drain_timeout: float


SCALES = {
    # make test / CI: every fault, small load, tens of seconds.
    "fast": Scale(
        "fast",
        api_submissions=40,
        api_threads=8,
        api_keys=2,
        form_users=3,
        forms_each=6,
        drafts_each=30,
        overdue=10,
        due_during_load=10,
        due_window=(20, 50),
        web_workers=2,
        web_threads=4,
        workers=2,
        beats=2,
        mail_delay=0.05,
        redis_down_seconds=3,
        lease_seconds=6,
        drain_timeout=120,
    ),
    # make faults: hundreds of submissions.
    "full": Scale(
        "full",
        api_submissions=400,
        api_threads=16,
        api_keys=4,
        form_users=8,
        forms_each=25,
        # The most unsent drafts one person may hold (MAX_DRAFTS_PER_PERSON).
        drafts_each=50,
        overdue=50,
        due_during_load=40,
        due_window=(30, 130),
        web_workers=3,
        web_threads=4,
        workers=3,
        beats=2,
        mail_delay=0.08,
        redis_down_seconds=10,
        lease_seconds=10,
        drain_timeout=600,
    ),
}


def current_scale() -> Scale:
    name = os.environ.get("FRONTDOOR_FAULTS", "fast")
    if name not in SCALES:
        raise pytest.UsageError(f"FRONTDOOR_FAULTS must be one of {sorted(SCALES)}, not {name!r}")
    return SCALES[name]


@dataclass
class Stack:
    scale: Scale
    root: Path
    pg: PrivatePostgres
    redis: PrivateRedis
    sink: MailSink
    portal: Portal
    seed: dict[str, Any]
    relay: FaultyRelay | None = None

    @property
    def db_url(self) -> str:
        return self.pg.url(DB_NAME)

    def seed_data(self) -> None:
        """Agencies, people, API keys, drafts and overdue referrals (tests.faults.seed)."""
        self.seed = json.loads(
            self.portal.run_python(
                "tests.faults.seed",
                json.dumps(
                    {
                        "api_keys": self.scale.api_keys,
                        "form_users": self.scale.form_users,
                        "drafts_each": self.scale.drafts_each,
                        "overdue": self.scale.overdue,
                        "due_during_load": self.scale.due_during_load,
                        "due_from_seconds": self.scale.due_window[0],
                        "due_to_seconds": self.scale.due_window[1],
                    }
                ),
            )
        )


@contextlib.contextmanager
def private_stack(
    *, mail_delay: float, extra_env: dict[str, str] | None = None, relay: bool = False
) -> Iterator[Stack]:
    """PostgreSQL, Redis, a mail sink (behind a switchable relay if asked)
    and the portal's environment, all private to the test and always
    stopped after it."""
    reason = missing_binaries()
    if reason:
        pytest.skip(reason)
    scale = current_scale()
    root = make_root()
    pg = PrivatePostgres(root)
    redis = PrivateRedis(root)
    sink = MailSink(delay=mail_delay)
    faulty = FaultyRelay(sink.port) if relay else None
    portal: Portal | None = None
    try:
        pg.init()
        pg.create_database(DB_NAME)
        redis.start()
        sink.start()
        if faulty is not None:
            faulty.start()
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("CACHE_", "EMAIL_", "PYTEST"))
            },
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": pg.url(DB_NAME),
            "CELERY_BROKER_URL": redis.url,
            "CELERY_TASK_DEFAULT_QUEUE": "frontdoor-faults",
            "FRONTDOOR_VAR_DIR": str(root / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(faulty.port if faulty else sink.port),
            "EMAIL_TIMEOUT": "10",
            "SWEEP_INTERVAL_SECONDS": "2",
            "DISPATCH_INTERVAL_SECONDS": "2",
            "NOTIFICATION_LEASE_SECONDS": str(scale.lease_seconds),
            "API_RATE_LIMIT": "100000/minute",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        portal = Portal(root, env)
        portal.manage("migrate", "--noinput", "-v0")
        yield Stack(
            scale=scale,
            root=root,
            pg=pg,
            redis=redis,
            sink=sink,
            portal=portal,
            seed={},
            relay=faulty,
        )
    finally:
        if portal is not None:
            portal.stop()
        if faulty is not None:
            with contextlib.suppress(Exception):
                faulty.stop()
        with contextlib.suppress(Exception):
            sink.stop()
        redis.stop()
        pg.stop()
        if os.environ.get("FRONTDOOR_FAULTS_KEEP"):
            print(f"\nFault-test files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def stack() -> Iterator[Stack]:
    with private_stack(mail_delay=current_scale().mail_delay) as built:
        yield built
