from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from audit.models import Action
from audit.services import COMMAND, record_event


class Command(BaseCommand):
    help = "Print an API token for USERNAME (the existing one if there is one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace any existing token.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active user called {options['username']!r}") from exc
        if options["rotate"]:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            record_event(
                actor=None,
                action=Action.TOKEN_ISSUED,
                object_type="user",
                object_ref=user.get_username(),
                origin=COMMAND,
            )
        self.stdout.write(token.key)
