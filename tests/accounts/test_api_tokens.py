"""Personal API tokens: made only just after a security code, shown once,
kept as a hash, and never open-ended."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import PersonalToken
from accounts.tokens import issue_personal_token
from accounts.views import CONFIRMED_AT_KEY
from audit.models import Action, AuditEvent
from audit.services import WEB
from tests.conftest import client_for, submit


def api_as(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_token_needs_a_security_code_entered_just_now(world):
    client = client_for(world.gp)
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time() - 3600
    session.save()
    response = client.post("/account/api-tokens/", {"name": "My script", "days": "30"})
    assert response.status_code == 302 and "/sign-in/code/" in response["Location"]
    assert not PersonalToken.objects.exists()


def test_a_token_is_shown_once_and_kept_only_as_a_hash(world):
    client = client_for(world.gp)
    session = client.session
    session[CONFIRMED_AT_KEY] = time.time()
    session.save()
    client.post("/account/api-tokens/", {"name": "My script", "days": "30"})
    page = client.get("/account/api-tokens/").content.decode()
    token = PersonalToken.objects.get(user=world.gp)
    key = page.split("fdp_", 1)[1].split("<", 1)[0]
    assert len(key) > 40 and key.split("_", 1)[1] not in token.key_hash
    assert "fdp_" not in client.get("/account/api-tokens/").content.decode()  # once only
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED, actor=world.gp).exists()
    referral = submit(world.gp)
    assert api_as(f"fdp_{key}").get(f"/api/v1/referrals/{referral.reference}/").status_code == 200


def test_a_token_stops_working_when_it_expires_or_lies_unused(world, settings):
    settings.PERSONAL_TOKEN_IDLE_DAYS = 14
    referral = submit(world.gp)
    token, key = issue_personal_token(user=world.gp, name="s", days=30, origin=WEB)
    path = f"/api/v1/referrals/{referral.reference}/"
    assert api_as(key).get(path).status_code == 200
    PersonalToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - dt.timedelta(days=15)
    )
    assert api_as(key).get(path).status_code in (401, 403)
    PersonalToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert api_as(key).get(path).status_code in (401, 403)


def test_no_token_is_made_for_longer_than_the_limit(world, settings):
    settings.PERSONAL_TOKEN_MAX_DAYS = 90
    token, _ = issue_personal_token(user=world.gp, name="s", days=3650, origin=WEB)
    assert token.expires_at - token.created_at == dt.timedelta(days=90)


def test_a_revoked_token_and_a_leavers_token_stop_working(world):
    from agencies.models import Membership

    referral = submit(world.gp)
    path = f"/api/v1/referrals/{referral.reference}/"
    token, key = issue_personal_token(user=world.gp, name="s", days=30, origin=WEB)
    client_for(world.gp).post(f"/account/api-tokens/{token.key_prefix}/revoke/")
    assert api_as(key).get(path).status_code in (401, 403)
    _, key = issue_personal_token(user=world.gp, name="s", days=30, origin=WEB)
    Membership.objects.filter(user=world.gp).update(is_active=False)
    assert api_as(key).get(path).status_code == 404  # signed in, but sees nothing now


def test_someone_elses_token_cannot_be_revoked(world):
    token, key = issue_personal_token(user=world.gp, name="s", days=30, origin=WEB)
    response = client_for(world.hv).post(f"/account/api-tokens/{token.key_prefix}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
