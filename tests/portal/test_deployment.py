"""The production shape: compose file valid, production settings pass Django's checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 30 + "-production-like-secret-" + "y" * 30,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "frontdoor.example",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_TLS_PROXY": "true",
}


def test_the_compose_file_is_valid():
    compose = shutil.which("docker-compose")
    if compose is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose must be installed in CI (.ci/run installs it)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(  # noqa: S603
        [compose, "-f", str(settings.BASE_DIR / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_compose_file_refuses_to_start_without_a_secret_key():
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.skip("docker-compose is not installed")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(  # noqa: S603
        [compose, "-f", str(settings.BASE_DIR / "docker-compose.yml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        # The browser tests allow sync ORM calls beside Playwright's event loop
        # in this process; production never does.
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
