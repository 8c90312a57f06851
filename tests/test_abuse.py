"""A few of the things a curious or malicious user might try."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.conftest import a_document, client_for, sign_in, submit


def test_repeated_wrong_passwords_lock_the_account_out_and_are_audited(db):
    get_user_model().objects.create_user("target", password="a-long-correct-password")
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": "target", "password": "guess"})
    locked = client.post("/sign-in/", {"username": "target", "password": "a-long-correct-password"})
    assert "You have tried to sign in too many times" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_in_failed", object_ref="target").count() >= 5


def test_html_and_script_typed_into_a_referral_are_shown_as_text(world):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    referral = submit(world.hv, child={"first_name": script}, concern={"what_happened": script})
    for persona in ("hv", "mash"):
        page = client_for(getattr(world, persona)).get(f"/referrals/{referral.reference}/").content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page
    queue = client_for(world.mash).get("/front-door/queue/").content.decode()
    assert "<script>alert" not in queue


def test_an_oversized_api_body_is_refused_with_a_400(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.gp).key}")
    document = a_document(concern={"what_happened": "x" * 3_000_000})
    response = api.post("/api/v1/referrals/", json.dumps(document), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_forms_need_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.hv)
    response = client.post("/referrals/new/")
    assert response.status_code == 403
    assert "Sorry, that page had expired" in response.content.decode()


def test_a_nul_character_in_a_draft_is_dropped_not_a_server_error(world):
    from referrals.models import Draft

    client = client_for(world.hv)
    client.post("/referrals/new/")
    draft = Draft.objects.get(author=world.hv)
    response = client.post(f"/referrals/drafts/{draft.pk}/concern/", {"what_happened": "Bruise\x00 on cheek"})
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert "\x00" not in str(draft.data) and "Bruise on cheek" in str(draft.data)
