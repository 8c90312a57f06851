"""Outages of what the portal depends on give clear answers, never a 500,
and never a half-done referral."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError
from django.test import Client, override_settings

from core.models import Heartbeat
from notifications.models import Notification
from referrals.models import Referral
from tests.conftest import a_document, client_for, token_for

DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1},
    }
}


@pytest.fixture(autouse=True)
def _cache_answers_again():
    """The throttles remember an outage for a while; forget it after each test."""
    from core import throttling

    yield
    throttling._cache_down_until = 0.0


def api_client(user) -> Client:
    token = token_for(user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}", raise_request_exception=False)


def test_an_api_submission_is_receipted_while_the_rate_limit_cache_is_down(world, broker_down):
    with override_settings(CACHES=DEAD_REDIS_CACHE):
        response = api_client(world.gp).post(
            "/api/v1/referrals/", a_document(), content_type="application/json"
        )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert Notification.objects.filter(referral=referral).exists()
    # For a while the throttles no longer ask the cache at all.
    from core import throttling

    with (
        override_settings(CACHES=DEAD_REDIS_CACHE),
        mock.patch("django.core.cache.backends.redis.RedisCache.get") as cache_get,
    ):
        again = api_client(world.gp).post(
            "/api/v1/referrals/", a_document(), content_type="application/json"
        )
    assert again.status_code == 201
    assert throttling._cache_down_until > 0 and not cache_get.called


def test_an_api_request_while_the_database_is_unreachable_gets_503_and_retry_after(world):
    client = api_client(world.gp)
    with mock.patch(
        "referrals.api.views.submit_referral", side_effect=OperationalError("connection refused")
    ):
        response = client.post("/api/v1/referrals/", a_document(), content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["error"] == "unavailable"
    assert "Idempotency-Key" in body["message"]
    assert not Referral.objects.exists()


def test_a_form_send_while_the_database_is_unreachable_gets_a_clear_page_and_keeps_the_draft(world):
    from referrals.services.drafts import start_draft

    draft = start_draft(author=world.hv, prefill=a_document())
    client = client_for(world.hv)
    client.raise_request_exception = False
    with mock.patch("referrals.web.drafts.submit_referral", side_effect=OperationalError("gone")):
        response = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "unavailable for a moment" in page and "draft is kept" in page
    assert not Referral.objects.exists()
    # Sending again once the database is back works, once.
    again = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert again.status_code == 302 and "/receipt/" in again["Location"]
    assert Referral.objects.count() == 1


def test_a_form_send_whose_session_cannot_be_saved_afterwards_says_so_and_sending_again_is_safe(
    world,
):
    # PostgreSQL restarting between the referral's commit and the session's
    # save: Django calls that an interrupted session (400). The sender is told
    # the service was unavailable, and Send again finds the referral already sent.
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    from referrals.services.drafts import start_draft

    def database_gone(*args, **kwargs):
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError:
            raise UpdateError() from None

    draft = start_draft(author=world.hv, prefill=a_document())
    client = client_for(world.hv)
    client.raise_request_exception = False
    with mock.patch.object(SessionStore, "save", side_effect=database_gone):
        response = client.post(f"/referrals/drafts/{draft.pk}/check/")
    assert response.status_code == 503
    assert "unavailable for a moment" in response.content.decode()
    assert Referral.objects.count() == 1  # it had gone through
    again = client.post(f"/referrals/drafts/{draft.pk}/check/", follow=True)
    assert again.redirect_chain == [("/referrals/", 302)]
    assert "it has been sent or deleted" in again.content.decode()
    assert Referral.objects.count() == 1


def test_other_errors_are_still_500(world):
    client = api_client(world.gp)
    with mock.patch("referrals.api.views.submit_referral", side_effect=RuntimeError("bug")):
        response = client.post("/api/v1/referrals/", a_document(), content_type="application/json")
    assert response.status_code == 500


@pytest.mark.parametrize("entry", ["task", "command"])
def test_a_sweep_with_a_failed_step_does_not_count_as_a_successful_sweep(world, entry):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from referrals.escalation import sweep as escalations
    from referrals.tasks import sweep_overdue_referrals

    real = escalations.claim_batch

    def flaky(step, **kwargs):
        if step.level == 2:
            raise DatabaseError("lock timeout")
        return real(step, **kwargs)

    with mock.patch.object(escalations, "claim_batch", side_effect=flaky):
        if entry == "task":
            sweep_overdue_referrals()
        else:
            with pytest.raises(CommandError, match="failed"):
                call_command("sweep_overdue", stdout=StringIO(), stderr=StringIO())
    assert not Heartbeat.objects.filter(name="escalation-sweep").exists()
    # The next, complete sweep records its success.
    sweep_overdue_referrals()
    assert Heartbeat.objects.filter(name="escalation-sweep").exists()
