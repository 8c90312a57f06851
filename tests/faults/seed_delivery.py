"""Seed a private database for the delivery fault probes and print what they
need as JSON: an agency system's API key, its webhook endpoint registered,
and urgent referrals whose hour runs out one after another while the faults
are injected. With "backlog": N, instead add N emails due now.

Run inside the portal's environment:
`python -m tests.faults.seed_delivery '{"endpoint": "http://...", ...}'`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import django


def seed(spec: dict) -> dict:
    from django.utils import timezone

    from agencies.api_keys import issue_api_key
    from agencies.models import Agency, AgencyKind, Role
    from agencies.webhooks import register_webhook
    from referrals.models import DeadlinePolicy
    from tests.conftest import make_user, submit

    front_door = Agency.objects.create(
        name="Northbridge Front Door",
        kind=AgencyKind.FRONT_DOOR,
        alert_email="mash@frontdoor.example",
    )
    DeadlinePolicy.objects.create(front_door=front_door)
    gp = Agency.objects.create(
        name="Riverside GP Practice", kind=AgencyKind.GP_PRACTICE, front_door=front_door
    )
    make_user("mash.worker", agency=front_door, role=Role.PRACTITIONER)
    make_user("manager.duty", agency=front_door, role=Role.MANAGER)
    make_user("senior.head", agency=front_door, role=Role.SENIOR_MANAGER)
    make_user("lead.gp", agency=gp, role=Role.AGENCY_LEAD)
    key = issue_api_key(agency=gp, name="Record system", actor=None)[1]
    register_webhook(agency=gp, url=spec["endpoint"], events=[], actor=None)

    # Urgent referrals (acknowledge within the hour) whose hour runs out at
    # even steps while the probes run: each must be escalated within a sweep
    # interval of its deadline, whatever the mail relay or the endpoint does.
    referrer = make_user("gp.sender", agency=gp, role=Role.REFERRER)
    hour = dt.timedelta(hours=1)
    first, every, count = spec["due_from_seconds"], spec["due_every_seconds"], spec["due_count"]
    due = [
        submit(
            referrer,
            urgency="urgent",
            now=timezone.now() - hour + dt.timedelta(seconds=first + every * i),
        ).reference
        for i in range(count)
    ]
    return {"api_key": key, "due": due}


def backlog(count: int) -> dict:
    """`count` emails, due now, as if written while the relay was down."""
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import retry_until

    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                purpose="receipt",
                to_address=f"person{i}@agency.example",
                subject="Received: a referral",
                body="See it in Front Door.",
                next_attempt_at=now,
                created_at=now,
                retry_until=retry_until("receipt", from_time=now),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    return {"backlog": count}


if __name__ == "__main__":
    django.setup()
    spec = json.loads(sys.argv[1])
    print(json.dumps(backlog(spec["backlog"]) if "backlog" in spec else seed(spec)))
