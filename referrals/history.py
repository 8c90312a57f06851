"""django-simple-history's managers, built once per model.

`Model.history` builds a new manager class on every access (the library's
descriptor calls `from_queryset`, which inspects the queryset class): about a
third of a millisecond each time. A submission writes the first version of
the referral and of four kinds of part, so it takes the manager from here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models


@cache
def history_of(model: type[models.Model]) -> Any:
    """The model's history manager (not bound to one instance)."""
    return model.history  # type: ignore[attr-defined]
