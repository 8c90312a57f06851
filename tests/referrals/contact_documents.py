"""A contact as the front door records it, for the tests of contacts."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils import timezone

from tests.conftest import a_document


def a_contact_document(
    *, received_at: dt.datetime | None = None, **overrides: Any
) -> dict[str, Any]:
    """A phone call from a GP, received ten minutes ago (or at `received_at`):
    the portal's complete referral with the contact's details instead of
    the sender's. `contact=` changes parts of the contact section."""
    local = timezone.localtime(received_at or timezone.now() - dt.timedelta(minutes=10))
    document = copy.deepcopy(a_document())
    document.pop("kind")
    document.pop("sender")
    document["contact"] = {
        "channel": "phone",
        "received_on": local.date().isoformat(),
        "received_time": f"{local:%H:%M}",
        "source_type": "professional",
        "source_name": "Dr Rosa Okafor",
        "source_organisation": "Hilltop Surgery",
        "source_role": "GP",
        "source_phone": "01632 960 222",
        "source_email": "rosa.okafor@hilltop.example.test",
        "census_source": "3A",
    }
    contact = overrides.pop("contact", None)
    if contact:
        document["contact"].update(contact)
    child = overrides.pop("child", None)
    if child:
        document["children"][0].update(child)
    for section in ("concern", "consent"):
        if section in overrides:
            document[section] = {**document[section], **overrides.pop(section)}
    document.update(overrides)
    return document
