"""Create the provider's people and registrations from JSON on standard
input; print each person's subject identifier (sub) as JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Seed the tests' OpenID Connect provider"

    def handle(self, *args: Any, **options: Any) -> None:
        spec = json.load(sys.stdin)
        subjects = {}
        for person in spec["people"]:
            user = User.objects.create_user(
                username=person["username"], email=person["email"], password=person["password"]
            )
            for name in person.get("groups", []):
                user.groups.add(Group.objects.get_or_create(name=name)[0])
            subjects[user.username] = str(user.pk)
        for registration in spec["registrations"]:
            Application.objects.create(
                name=registration["name"],
                client_id=registration["client_id"],
                client_secret=registration["client_secret"],
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=registration["redirect_uri"],
                algorithm=Application.RS256_ALGORITHM,
                skip_authorization=True,
            )
        self.stdout.write(json.dumps(subjects))
