"""Every page and API address, as every persona: who gets what.

404 and 403 are chosen on purpose: someone who may not see a referral gets
the same 404 as for one that does not exist; someone who can see it but may
not act gets 403. Signed out, pages send you to sign in and the API says 401
or 403.

The admin is in the matrix too, with the administrator of another local
authority's front door ("other_admin"): people who administer nothing are
sent to sign in (302), and another front door's agency, person or deadline
policy is "not found" to them, which Django's admin answers with a 302 back
to its index and a message, exactly as for an address that never existed.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import Role
from referrals.services.decision import decide_referral
from tests.conftest import client_for, make_user, submit, token_for

PERSONAS = [
    "hv",
    "lead_a",
    "gp",
    "mash",
    "manager",
    "senior",
    "admin",
    "outsider",
    "other_admin",
    "viewer",
    "anonymous",
]

# Pages: (path template, {persona: status}); "R" is the health visitor's referral.
PAGES = [
    (
        "/referrals/new/",
        dict(
            hv=200,
            lead_a=200,
            gp=200,
            mash=403,
            manager=403,
            senior=403,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/referrals/",
        dict(
            hv=200,
            lead_a=200,
            gp=200,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=200,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/",
        dict(
            hv=200,
            lead_a=200,
            gp=404,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/receipt/",
        dict(
            hv=200,
            lead_a=200,
            gp=404,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/decide/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=200,
            manager=200,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/transfer/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=200,
            manager=200,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/ask/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=200,
            manager=200,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/D/challenge/",
        dict(
            hv=200,
            lead_a=200,
            gp=404,
            mash=403,
            manager=403,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/who-viewed/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=403,
            manager=403,
            senior=403,
            admin=200,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/front-door/decision-audits/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=200,
            senior=200,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/front-door/decisions-to-check/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=200,
            senior=200,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/front-door/queue/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        # Search people: front-door staff, and only within their front door
        # (tests/referrals/selectors/test_search.py checks what each finds).
        "/front-door/search/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/front-door/undelivered-messages/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=200,
            senior=403,
            admin=200,
            outsider=403,
            other_admin=200,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/front-door/dashboard/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=200,
            senior=200,
            admin=200,
            outsider=403,
            other_admin=200,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/reports/partnership/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=200,
            senior=200,
            admin=200,
            outsider=403,
            other_admin=200,
            viewer=200,
            anonymous=302,
        ),
    ),
    (
        "/questions/",
        dict(
            hv=200,
            lead_a=200,
            gp=200,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=200,
            anonymous=302,
        ),
    ),
    (
        "/front-door/subject-access/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=403,
            senior=403,
            admin=200,
            outsider=403,
            other_admin=200,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/account/",
        dict(
            hv=200,
            lead_a=200,
            gp=200,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=200,
            anonymous=302,
        ),
    ),
    (
        "/agency/status-messages/",
        dict(
            hv=403,
            lead_a=200,
            gp=403,
            mash=403,
            manager=403,
            senior=403,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=302,
        ),
    ),
    # The police's own pages: officers only (none of these personas is one).
    (
        "/police/referrals/",
        dict(
            hv=403,
            lead_a=403,
            gp=403,
            mash=403,
            manager=403,
            senior=403,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=302,
        ),
    ),
    (
        "/police/referrals/R/",
        dict(
            hv=404,
            lead_a=404,
            gp=404,
            mash=404,
            manager=404,
            senior=404,
            admin=404,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
    (
        "/referrals/R/tell-police/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=200,
            manager=200,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=302,
        ),
    ),
]

ADMIN_PAGES = [
    (
        "/admin/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=200,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/agencies/agency/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=200,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/agencies/agency/A/change/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=302,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/auth/user/H/change/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=302,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/audit/auditevent/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=403,
            outsider=302,
            other_admin=403,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/notifications/notification/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=200,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/agencies/webhook/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=200,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/privacy/retentionhold/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=200,
            viewer=302,
            anonymous=302,
        ),
    ),
    (
        "/admin/referrals/deadlinepolicy/F/change/",
        dict(
            hv=302,
            lead_a=302,
            gp=302,
            mash=302,
            manager=302,
            senior=302,
            admin=200,
            outsider=302,
            other_admin=302,
            viewer=302,
            anonymous=302,
        ),
    ),
]

# API: (method, path template, {persona: status}).
API = [
    (
        "post",
        "/api/v1/referrals/R/transfer/",
        # Front-door staff who may act get 400: an empty body is not a transfer.
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=400,
            manager=400,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=401,
        ),
    ),
    (
        "get",
        "/api/v1/referrals/R/",
        dict(
            hv=200,
            lead_a=200,
            gp=404,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=401,
        ),
    ),
    (
        "post",
        "/api/v1/referrals/R/acknowledge/",
        dict(
            hv=403,
            lead_a=403,
            gp=404,
            mash=200,
            manager=200,
            senior=403,
            admin=403,
            outsider=404,
            other_admin=404,
            viewer=404,
            anonymous=401,
        ),
    ),
    (
        "get",
        "/api/v1/referrals/",
        dict(
            hv=200,
            lead_a=200,
            gp=200,
            mash=200,
            manager=200,
            senior=200,
            admin=200,
            outsider=200,
            other_admin=200,
            viewer=200,
            anonymous=401,
        ),
    ),
    (
        "get",
        "/api/v1/webhooks/",
        dict(
            hv=403,
            lead_a=200,
            gp=403,
            mash=403,
            manager=403,
            senior=403,
            admin=403,
            outsider=403,
            other_admin=403,
            viewer=403,
            anonymous=401,
        ),
    ),
]


@pytest.fixture
def setting(world):
    world.viewer = make_user(
        "partnership.viewer", agency=world.front_door, role=Role.PARTNERSHIP_VIEWER
    )
    # The administrator of another local authority's front door.
    world.other_admin = make_user(
        "admin.southport", agency=world.other_front_door, role=Role.ADMINISTRATOR
    )
    referral = submit(world.hv)
    decided = submit(world.hv)
    decide_referral(
        referral=decided,
        actor=world.mash,
        decision="nfa",
        reasons="r",
        next_steps="",
        next_steps_owner="",
    )
    return world, referral, decided


def fill(template: str, world, referral, decided) -> str:
    return (
        template.replace("/R/", f"/{referral.reference}/")
        .replace("/D/", f"/{decided.reference}/")
        .replace("/A/", f"/{world.agency_a.pk}/")
        .replace("/H/", f"/{world.hv.pk}/")
        .replace("/F/", f"/{world.front_door.deadline_policy.pk}/")
    )


@pytest.mark.parametrize(
    ("template", "expected"), PAGES + ADMIN_PAGES, ids=[p for p, _ in PAGES + ADMIN_PAGES]
)
def test_pages_for_every_persona(setting, template, expected):
    world, referral, decided = setting
    path = fill(template, world, referral, decided)
    got = {}
    for persona in PERSONAS:
        client = Client() if persona == "anonymous" else client_for(getattr(world, persona))
        got[persona] = client.get(path).status_code
    assert got == expected


@pytest.mark.parametrize(
    ("method", "template", "expected"), API, ids=[f"{m} {p}" for m, p, _ in API]
)
def test_api_for_every_persona(setting, method, template, expected):
    world, referral, decided = setting
    path = fill(template, world, referral, decided)
    got = {}
    for persona in PERSONAS:
        api = APIClient()
        if persona != "anonymous":
            token = token_for(getattr(world, persona))
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        got[persona] = getattr(api, method)(path).status_code
        if method == "post" and got[persona] == 200:
            # Undo the acknowledgement so the next persona meets the same referral.
            type(referral).objects.filter(pk=referral.pk).update(
                status="submitted", acknowledged_at=None, acknowledged_by=None
            )
    assert got == expected


def test_another_agencys_referral_is_missing_from_every_list_and_count(setting):
    world, referral, _ = setting
    for path in ["/referrals/", "/questions/", "/front-door/queue/", "/front-door/dashboard/"]:
        for persona in ("gp", "outsider"):
            assert (
                referral.reference
                not in client_for(getattr(world, persona)).get(path).content.decode()
            )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.gp)}")
    assert referral.reference not in api.get("/api/v1/referrals/").content.decode()


def test_refusals_are_audited_with_who_and_what(setting):
    from audit.models import Action, AuditEvent

    world, referral, _ = setting
    client_for(world.outsider).get(f"/referrals/{referral.reference}/")
    client_for(world.hv).get("/front-door/dashboard/")
    refused = AuditEvent.objects.filter(action=Action.REFUSED)
    assert refused.filter(
        actor=world.outsider, object_type="referral", object_ref=referral.reference
    ).exists()
    assert refused.filter(
        actor=world.hv, object_type="page", object_ref="/front-door/dashboard/"
    ).exists()
    # A reference that does not exist is a plain 404, not a refusal about something.
    client_for(world.outsider).get("/referrals/FD-0000-0000/")
    assert not refused.filter(object_ref="FD-0000-0000").exists()
