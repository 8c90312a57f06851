"""Seed a private database for the fault tests and print what the load needs
(API keys, sign-ins, drafts, overdue references) as JSON.

Run inside the portal's environment: `python -m tests.faults.seed '{"api_keys": 4, ...}'`.
It builds people and referrals with the test suite's own builders, and signs
the senders in the way the test suite does.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import django


def signed_in_session(user) -> str:
    """A session cookie for a person signed in as far as the pages require,
    made the way the test suite signs people in (with the second factor)."""
    from django.conf import settings
    from django.test import Client

    import tests.conftest

    client = tests.conftest.sign_in(Client(), user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main(spec: dict) -> dict:
    django.setup()
    from django.utils import timezone

    from agencies.api_keys import issue_api_key
    from agencies.models import Agency, AgencyKind, Role
    from referrals.models import DeadlinePolicy
    from referrals.services.drafts import start_draft
    from tests.conftest import a_document, make_user, submit

    front_door = Agency.objects.create(
        name="Northbridge Front Door",
        kind=AgencyKind.FRONT_DOOR,
        alert_email="mash@frontdoor.example",
    )
    DeadlinePolicy.objects.create(front_door=front_door)
    health = Agency.objects.create(
        name="Northbridge Health Visiting", kind=AgencyKind.HEALTH_VISITING, front_door=front_door
    )
    gp = Agency.objects.create(
        name="Riverside GP Practice", kind=AgencyKind.GP_PRACTICE, front_door=front_door
    )
    make_user("mash.worker", agency=front_door, role=Role.PRACTITIONER)
    make_user("manager.duty", agency=front_door, role=Role.MANAGER)
    make_user("senior.head", agency=front_door, role=Role.SENIOR_MANAGER)

    keys = [
        issue_api_key(agency=gp, name=f"Record system {i}", actor=None)[1]
        for i in range(spec["api_keys"])
    ]

    senders = []
    for i in range(spec["form_users"]):
        user = make_user(f"hv.sender{i}", agency=health, role=Role.REFERRER)
        drafts = [
            str(start_draft(author=user, prefill=a_document()).pk)
            for _ in range(spec["drafts_each"])
        ]
        senders.append(
            {"username": user.username, "session": signed_in_session(user), "drafts": drafts}
        )

    # Referrals that arrived eight days ago and nobody touched: overdue at
    # both levels of "not acknowledged" and "not decided".
    referrer = make_user("hv.overdue", agency=health, role=Role.REFERRER)
    long_ago = timezone.now() - dt.timedelta(days=8)
    overdue = [submit(referrer, now=long_ago).reference for _ in range(spec["overdue"])]

    # Urgent referrals (acknowledge within the hour) whose hour runs out
    # while the load and the faults are going on.
    first, last, count = spec["due_from_seconds"], spec["due_to_seconds"], spec["due_during_load"]
    hour = dt.timedelta(hours=1)
    due_soon = [
        submit(
            referrer,
            urgency="urgent",
            now=timezone.now()
            - hour
            + dt.timedelta(seconds=first + (last - first) * i / max(1, count - 1)),
        ).reference
        for i in range(count)
    ]
    return {"api_keys": keys, "senders": senders, "overdue": overdue, "due_during_load": due_soon}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
