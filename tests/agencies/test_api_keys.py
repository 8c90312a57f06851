"""Agency API keys: issued once, stored hashed, least privilege, rotated, revoked."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from agencies.api_keys import issue_api_key, revoke_api_key, rotate_api_key
from agencies.models import ApiClient
from audit.models import AuditEvent
from referrals.models import Referral
from tests.conftest import a_document, sign_in, submit


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_key_sends_referrals_for_its_agency_and_reads_only_that_agencys(world):
    _, key = issue_api_key(agency=world.agency_b, name="EMIS at Riverside", actor=world.admin)
    api = keyed(key)
    receipt = api.post("/api/v1/referrals/", a_document(), format="json")
    assert receipt.status_code == 201
    referral = Referral.objects.get(reference=receipt.json()["reference"])
    assert referral.sending_agency == world.agency_b
    colleague = submit(world.gp)  # same agency, sent by a person
    other_agency = submit(world.hv)
    assert api.get(f"/api/v1/referrals/{colleague.reference}/").status_code == 200
    assert api.get(f"/api/v1/referrals/{other_agency.reference}/").status_code == 404
    listed = {r["reference"] for r in api.get("/api/v1/referrals/").json()["results"]}
    assert listed == {referral.reference, colleague.reference}


def test_a_key_cannot_act_for_the_front_door_or_the_referrer(world):
    _, key = issue_api_key(agency=world.agency_b, name="EMIS", actor=world.admin)
    referral = submit(world.gp)
    api = keyed(key)
    assert api.post(f"/api/v1/referrals/{referral.reference}/acknowledge/").status_code == 403
    assert (
        api.post(
            f"/api/v1/referrals/{referral.reference}/decide/",
            {"decision": "nfa", "reasons": "x"},
            format="json",
        ).status_code
        == 403
    )


def test_only_a_hash_of_the_key_is_stored(world):
    client, key = issue_api_key(agency=world.agency_b, name="EMIS", actor=world.admin)
    secret = key.split("_", 2)[2]
    assert client.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiClient.objects.values()))


def test_a_rotated_key_replaces_the_old_one_at_once(world):
    client, old = issue_api_key(agency=world.agency_b, name="EMIS", actor=world.admin)
    new = rotate_api_key(client=client, actor=world.admin)
    assert keyed(old).get("/api/v1/referrals/").status_code == 401
    assert keyed(new).get("/api/v1/referrals/").status_code == 200


def test_a_revoked_key_is_refused_and_the_refusal_audited(world):
    client, key = issue_api_key(agency=world.agency_b, name="EMIS", actor=world.admin)
    revoke_api_key(client=client, actor=world.admin)
    response = keyed(key).post("/api/v1/referrals/", a_document(), format="json")
    assert response.status_code == 401
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.filter(action="refused", object_type="api_client").exists()


def test_every_use_of_a_key_is_audited(world):
    client, key = issue_api_key(agency=world.agency_b, name="EMIS", actor=world.admin)
    keyed(key).get("/api/v1/referrals/")
    keyed(key).get("/api/v1/referrals/")
    assert (
        AuditEvent.objects.filter(action="api_key_used", object_ref=client.key_prefix).count() == 2
    )


@pytest.mark.parametrize(
    "header", ["Bearer fdk_nope_nope", "Bearer fdk_", "Bearer x", "Bearer fdk_12345678_"]
)
def test_malformed_or_unknown_keys_get_401_not_a_500(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/referrals/").status_code == 401


def test_front_doors_do_not_get_api_keys(world):
    with pytest.raises(ValueError):
        issue_api_key(agency=world.front_door, name="x", actor=world.admin)


def test_the_command_issues_rotates_and_revokes(world):
    out = StringIO()
    call_command("issue_api_key", "--agency", world.agency_b.name, "--name", "EMIS", stdout=out)
    key = out.getvalue().strip()
    prefix = key.split("_")[1]
    assert keyed(key).get("/api/v1/referrals/").status_code == 200
    out = StringIO()
    call_command("issue_api_key", "--rotate", prefix, stdout=out)
    new_key = out.getvalue().strip()
    call_command("issue_api_key", "--revoke", new_key.split("_")[1], stderr=StringIO())
    assert keyed(new_key).get("/api/v1/referrals/").status_code == 401


def test_an_administrator_issues_a_key_in_the_admin_and_sees_it_once(world):
    from django.test import Client

    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    sign_in(client, world.admin)
    response = client.post(
        "/admin/agencies/apiclient/add/",
        {"agency": world.agency_b.pk, "name": "SystmOne"},
        follow=True,
    )
    html = response.content.decode()
    assert "copy it now, it will not be shown again" in html
    key = html.split("it will not be shown again): ")[1].split("<")[0].strip()
    assert keyed(key).get("/api/v1/referrals/").status_code == 200


def test_a_flood_of_wrong_keys_is_folded_in_the_audit_then_slowed(world, settings):
    """Anyone can send wrong keys without an account, and the audit cannot
    be trimmed: from one address in a minute the 1st, 10th, 100th... are
    kept with the count, and past AUTH_FAILURES_PER_MINUTE the address waits."""
    settings.AUTH_FAILURES_PER_MINUTE = 12
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer fdk_nope1234_wrong")
    answers = [client.get("/api/v1/referrals/").status_code for _ in range(14)]
    assert answers == [401] * 12 + [429] * 2
    kept = AuditEvent.objects.filter(action="refused", object_type="api_client")
    assert [e.detail["from_this_address_this_minute"] for e in kept.order_by("pk")] == [1, 10]
    # Another address is not held up by this one.
    other = APIClient(REMOTE_ADDR="192.0.2.77")
    other.credentials(HTTP_AUTHORIZATION="Bearer fdk_nope1234_wrong")
    assert other.get("/api/v1/referrals/").status_code == 401
