from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from portal.demo import PEOPLE, seed_demo
from portal.demo_areas import AREA_PEOPLE

# Demo accounts only, printed on screen by design; production has none.
DEFAULT_DEMO_PASSWORD = "front-door-demo"  # noqa: S105 - printed on purpose; # nosec B105


class Command(BaseCommand):
    help = "Create a demo front door, partner agencies, sign-ins and sample referrals (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        for line in seed_demo(password=password):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {password})")
        for person in PEOPLE:
            self.stdout.write(f"  {person.username:<17} {person.job_title} at {person.agency}")
        for username, _first, _last, agency, _role, title in AREA_PEOPLE:
            self.stdout.write(f"  {username:<17} {title} at {agency}")
        self.stdout.write("")
        self.stdout.write("Each sign-in also asks for a security code. For a demo account, get the")
        self.stdout.write("current one with:  .venv/bin/python manage.py demo_code hv.demo")
