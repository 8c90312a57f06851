"""Start the tests' OpenID Connect provider as a process of its own.

1. A temporary folder gets a new RSA signing key and an SQLite database.
2. `migrate`, then `seed_provider` with the people and registrations asked for.
3. gunicorn serves it on a spare loopback port below the ephemeral range
   (tests.faults.servers.free_port), in its own process group.
4. Wait for its discovery document, hand it to the tests, and stop the group
   and remove the folder afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.faults.servers import free_port

BASE_DIR = Path(__file__).resolve().parents[3]
SETTINGS = "tests.accounts.oidc_provider.settings"


@dataclass(frozen=True)
class Provider:
    issuer: str
    # The provider's subject identifier (sub) for each of its people, by username.
    subjects: dict[str, str]
    log: Path

    @property
    def login_url(self) -> str:
        return self.issuer.removesuffix("/o") + "/accounts/login/"


def _new_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _manage(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"provider {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def start_provider(
    *, people: list[dict[str, Any]], registrations: list[dict[str, str]]
) -> Iterator[Provider]:
    folder = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        (folder / "key.pem").write_bytes(_new_key())
        port = free_port()
        issuer = f"http://127.0.0.1:{port}/o"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "OIDC_PROVIDER_DATABASE": str(folder / "provider.sqlite3"),
            "OIDC_PROVIDER_KEY": str(folder / "key.pem"),
            "OIDC_PROVIDER_ISSUER": issuer,
        }
        _manage(["migrate", "--noinput"], env)
        subjects = json.loads(
            _manage(
                ["seed_provider"],
                env,
                stdin=json.dumps({"people": people, "registrations": registrations}),
            )
        )
        log = folder / "provider.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "tests.accounts.oidc_provider.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                    "--timeout",
                    "30",
                    # No control socket in the user's home: several may run at once.
                    "--no-control-socket",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the provider did not start:\n{log.read_text(errors='replace')}"
                    ) from None
                time.sleep(0.2)
        yield Provider(issuer=issuer, subjects=subjects, log=log)
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
