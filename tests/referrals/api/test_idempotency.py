"""Idempotent submission: a record system that timed out retries safely."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from referrals.models import Referral
from tests.conftest import a_document, token_for


def api_for(user) -> APIClient:
    client = APIClient()
    token = token_for(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_retry_with_the_same_key_returns_the_first_receipt(world):
    api = api_for(world.gp)
    first = api.post(
        "/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="gp-system-123"
    )
    again = api.post(
        "/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="gp-system-123"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Referral.objects.count() == 1


def test_the_same_key_with_a_different_referral_is_refused(world):
    api = api_for(world.gp)
    api.post("/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = api.post(
        "/api/v1/referrals/", a_document(urgency="urgent"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_conflict"
    assert Referral.objects.count() == 1


def test_keys_belong_to_their_sender(world):
    api_for(world.gp).post(
        "/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    mine = api_for(world.hv).post(
        "/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert mine.status_code == 201 and "Idempotent-Replayed" not in mine
    assert Referral.objects.count() == 2


def test_a_key_that_is_too_long_is_a_clear_400(world):
    response = api_for(world.gp).post(
        "/api/v1/referrals/", a_document(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 201
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_referral(world):
    start = threading.Barrier(4)
    results: list = []

    def retry() -> None:
        try:
            start.wait()
            response = api_for(world.gp).post(
                "/api/v1/referrals/",
                a_document(),
                format="json",
                HTTP_IDEMPOTENCY_KEY="timeout-retry",
            )
            results.append((response.status_code, response.json().get("reference")))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Referral.objects.count() == 1
    assert {code for code, _ in results} == {201}
    assert len({reference for _, reference in results}) == 1
