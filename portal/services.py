from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.models import Heartbeat


def beat(name: str, *, now: dt.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"last_success_at": now or timezone.now()})
