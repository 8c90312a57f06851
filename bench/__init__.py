"""Benchmarks and their data generator (measure, never assert a time)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bumped when the generator writes different data for the same schema.
GENERATOR_VERSION = 3


def data_fingerprint() -> str:
    """What generated data depends on: the generator's version and every
    migration in the project. A data set generated under another is made
    again, not migrated (the generator writes columns by name)."""
    names = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join([str(GENERATOR_VERSION), *names]).encode()).hexdigest()[:16]
