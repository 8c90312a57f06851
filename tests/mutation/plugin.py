"""Pytest plugin for mutation runs (`make mutation`), loaded with
`-p tests.mutation.plugin` from pyproject's [tool.mutmut] only.

mutmut runs the tests once per mutant, in processes forked side by side. On
SQLite the test database is a file, so each process gets its own copy of one
database migrated beforehand (`make mutation` builds it): no process waits on
another's write lock or destroys the database under it, and a mutant's run
starts in a fraction of a second instead of migrating from scratch.

Hypothesis is made deterministic and given no deadline, so a mutant is killed
by a failing assertion, never by a slow example or by luck.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("mutation", deadline=None, derandomize=True, database=None)
hypothesis_settings.load_profile("mutation")

_TEMPLATE = "mutation_template_name"


def pytest_sessionstart(session: Any) -> None:
    """Before any test database is set up: point this process at its own copy."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    template = Path(test.get(_TEMPLATE) or test["NAME"])
    mine = template.with_name(f"{template.stem}-{os.getpid()}{template.suffix}")
    if template.exists():
        shutil.copyfile(template, mine)
    test[_TEMPLATE] = str(template)
    test["NAME"] = str(mine)


def pytest_sessionfinish(session: Any) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    test = settings.DATABASES["default"]["TEST"]
    mine = Path(test["NAME"])
    test["NAME"] = test.pop(_TEMPLATE)
    for leftover in (mine, Path(f"{mine}-wal"), Path(f"{mine}-shm")):
        leftover.unlink(missing_ok=True)
