"""Signing in: wrong passwords slow the next try and lock out the address
they come from, never the person whose name was typed; audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from accounts.services import _backoff_key
from audit.models import AuditEvent

PASSWORD = "a-long-correct-password"


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Password hashing is slow by design; these tests sign in dozens of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def target(db):
    return get_user_model().objects.create_user("target", password=PASSWORD)


def behind_the_proxy(address: str) -> Client:
    """A browser at `address`, reaching us through our TLS proxy."""
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{address}")


def test_after_a_few_wrong_passwords_the_next_try_must_wait(target):
    client = behind_the_proxy("203.0.113.7")
    for _ in range(3):
        client.post("/sign-in/", {"username": "target", "password": "guess"})
    page = client.post("/sign-in/", {"username": "target", "password": PASSWORD}).content.decode()
    assert "then try again" in page
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_out_the_address_not_the_person(target, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = behind_the_proxy("203.0.113.66")
    for _ in range(5):
        cache.delete(_backoff_key("target"))  # as if they waited each time
        attacker.post("/sign-in/", {"username": "target", "password": "guess"})
    cache.delete(_backoff_key("target"))
    locked = attacker.post("/sign-in/", {"username": "target", "password": PASSWORD})
    assert "You have tried to sign in too many times" in locked.content.decode()
    # The person, at their own desk behind the same proxy, still signs in.
    person = behind_the_proxy("198.51.100.20")
    person.post("/sign-in/", {"username": "target", "password": PASSWORD})
    assert "_auth_user_id" in person.session
    failures = AuditEvent.objects.filter(action="sign_in_failed", object_ref="target")
    assert failures.count() >= 5
    assert set(failures.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_made_up_usernames_do_not_fill_the_audit(db):
    client = behind_the_proxy("203.0.113.9")
    for i in range(25):
        client.post("/sign-in/", {"username": f"nobody{i}", "password": "x"})
    folded = AuditEvent.objects.filter(action="sign_in_failed", object_ref__startswith="unknown:")
    assert folded.count() == 2  # the 1st and the 10th from that address this minute
    last = folded.order_by("id").last()
    assert last is not None and last.detail["from_this_address_this_minute"] == 10


def test_what_was_typed_as_a_username_is_not_kept_as_typed(db):
    from axes.models import AccessAttempt

    behind_the_proxy("203.0.113.9").post(
        "/sign-in/", {"username": "MySecretPassword1", "password": "x"}
    )
    kept = list(AccessAttempt.objects.values_list("username", flat=True))
    assert kept and "MySecretPassword1" not in kept[0]
