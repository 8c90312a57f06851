"""Reads of drafts: private to their author (every lookup is by author)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404

from referrals.models import Draft

DRAFT_LIMIT = 50  # per person; the oldest beyond this are not listed


def drafts_of(author: User) -> list[Draft]:
    return list(Draft.objects.filter(author=author).order_by("-updated_at")[:DRAFT_LIMIT])


def get_draft(author: User, draft_id: Any) -> Draft:
    """Someone else's draft and a missing one are the same 404."""
    try:
        key = uuid.UUID(str(draft_id))
    except ValueError as exc:
        raise Http404("No such draft") from exc
    try:
        return Draft.objects.get(pk=key, author=author)
    except Draft.DoesNotExist as exc:
        raise Http404("No such draft") from exc
