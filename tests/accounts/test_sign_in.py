"""Signing in: lock-out after wrong passwords, audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import AuditEvent


def test_repeated_wrong_passwords_lock_the_account_out_and_are_audited(db):
    get_user_model().objects.create_user("target", password="a-long-correct-password")
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": "target", "password": "guess"})
    locked = client.post("/sign-in/", {"username": "target", "password": "a-long-correct-password"})
    assert "You have tried to sign in too many times" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_in_failed", object_ref="target").count() >= 5
