"""Each step of `make bench` starts."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "module",
    ["bench.run", "bench.generator", "bench.scenarios", "bench.soak", "bench.helpdesk_bench"],
)
def test_each_benchmark_step_starts_as_make_bench_starts_it(module):
    # make bench runs each step as `python -m bench.<step>` in a fresh process,
    # before Django is set up: a model imported too early stops it there.
    import subprocess
    import sys

    from django.conf import settings

    started = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert "usage:" in started.stdout
