"""Drafts: a referral being written, saved as the sender goes.

Private to their author (every lookup is by author), and not referrals until
sent: the front door cannot see them and no deadline runs.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from referrals.models import Draft


def start_draft(*, author: User, prefill: dict[str, Any] | None = None) -> Draft:
    now = timezone.now()
    return Draft.objects.create(author=author, data=prefill or {}, created_at=now, updated_at=now)


def save_section(
    *, draft: Draft, key: str, values: dict[str, Any], index: int | None = None
) -> Draft:
    """Store what was typed on one page, valid or not, so nothing is lost.

    `key` "" means top-level answers; a list section takes an item `index`
    (None appends a new item).
    """
    values = json_safe(values)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        data = copy.deepcopy(locked.data)
        if key == "":
            data.update(values)
        elif index is None and _is_list(key):
            data.setdefault(key, []).append(values)
        elif _is_list(key):
            items = data.setdefault(key, [])
            if index is not None and 0 <= index < len(items):
                items[index] = values
            else:
                items.append(values)
        else:
            data[key] = values
        locked.data = data
        locked.updated_at = timezone.now()
        locked.save(update_fields=["data", "updated_at"])
    return locked


def remove_item(*, draft: Draft, key: str, index: int) -> Draft:
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        items = list(locked.data.get(key) or [])
        if 0 <= index < len(items):
            del items[index]
        locked.data = {**locked.data, key: items}
        locked.updated_at = timezone.now()
        locked.save(update_fields=["data", "updated_at"])
    return locked


def delete_draft(*, draft: Draft, author: User) -> None:
    Draft.objects.filter(pk=draft.pk, author=author).delete()


def _is_list(key: str) -> bool:
    return key in {"children", "adults", "other_agencies", "previous_areas"}


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Dates become ISO text so a draft's JSON matches the API's. A draft
    keeps what was typed even when it is not valid yet, except NUL
    characters, which nobody types and PostgreSQL cannot store."""
    return {name: _storable(value) for name, value in values.items()}


def _storable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    return value
