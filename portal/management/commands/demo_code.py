from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo import PEOPLE, demo_code


class Command(BaseCommand):
    help = "Print the current security code for a demo account (demo accounts only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", choices=[person.username for person in PEOPLE])

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        try:
            self.stdout.write(demo_code(username))
        except TOTPDevice.DoesNotExist as exc:
            raise CommandError(
                f"{username} has no demo authenticator: run seed_demo first"
            ) from exc
