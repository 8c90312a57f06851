"""The OpenAPI schema is generated from the code, valid, and its example works."""

from __future__ import annotations

import json
from io import StringIO

import yaml
from django.core.management import call_command
from django.test import Client

from referrals.api.schema import EXAMPLE_FILE


def test_the_schema_is_served_without_signing_in_and_lists_every_endpoint(db):
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/referrals/",
        "/api/v1/referrals/{reference}/",
        "/api/v1/referrals/{reference}/acknowledge/",
        "/api/v1/referrals/{reference}/decide/",
        "/api/v1/referrals/{reference}/challenge/",
        "/api/v1/referrals/{reference}/proposed-decisions/{proposal_id}/sign-off/",
        "/api/v1/questions/",
    }


def test_the_schema_example_is_the_file_the_tests_submit(db):
    schema = json.loads(
        Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    post = schema["paths"]["/api/v1/referrals/"]["post"]
    [example] = post["requestBody"]["content"]["application/json"]["examples"].values()
    assert example["value"] == json.loads(EXAMPLE_FILE.read_text())


def test_the_schema_validates_with_no_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )
    assert yaml.safe_load(target.read_text())["info"]["title"] == "Front Door API"


def test_the_docs_page_is_served_from_our_own_files(db):
    page = Client().get("/api/v1/docs/")
    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page.content.decode()
