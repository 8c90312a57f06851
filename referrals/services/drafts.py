"""Drafts: a referral being written, saved as the sender goes.

Private to their author (every lookup is by author), and not referrals until
sent: the front door cannot see them and no deadline runs.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from referrals.models import Draft
from referrals.services.attachments import delete_documents_of_drafts

# A draft keeps what was typed, valid or not, but within limits: a draft is
# stored and shown back in full, so without them ten saves of a name of a
# couple of megabytes made a page of almost a hundred. Each value is cut
# well above any question's own limit (the page then says the answer is too
# long); lists stop at their section's most; a draft and a person's drafts
# have a ceiling.
MAX_TEXT_LENGTH = 20_000
MAX_DRAFT_BYTES = 256 * 1024
MAX_DRAFTS_PER_PERSON = 50


class DraftLimit(Exception):
    """A draft limit was reached; the message says which, for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def start_draft(*, author: User, prefill: dict[str, Any] | None = None) -> Draft:
    if Draft.objects.filter(author=author).count() >= MAX_DRAFTS_PER_PERSON:
        raise DraftLimit(
            f"You have {MAX_DRAFTS_PER_PERSON} unsent drafts: send or delete some before "
            "starting another"
        )
    now = timezone.now()
    return Draft.objects.create(
        author=author, data=json_safe(prefill or {}), created_at=now, updated_at=now
    )


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
            most = _most_items(key)
            if len(data.get(key) or []) >= most:
                raise DraftLimit(f"You can add no more than {most} here")
            data.setdefault(key, []).append(values)
        elif _is_list(key):
            items = data.setdefault(key, [])
            if index is not None and 0 <= index < len(items):
                items[index] = values
            else:
                items.append(values)
        else:
            data[key] = values
        if len(json.dumps(data)) > MAX_DRAFT_BYTES:
            raise DraftLimit(
                "This referral is too long to save: shorten the longest answers, or put "
                "the detail in a document for the front door"
            )
        locked.data = data
        locked.updated_at = timezone.now()
        locked.save(update_fields=["data", "updated_at"])
    return locked


def _most_items(key: str) -> int:
    from referrals.content import SECTIONS

    return next(s.max_items for s in SECTIONS if s.key == key)


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
    with transaction.atomic():
        mine = Draft.objects.filter(pk=draft.pk, author=author)
        delete_documents_of_drafts(mine)
        mine.delete()


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
        return value.replace("\x00", "")[:MAX_TEXT_LENGTH]
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value[:100]]
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    return value
