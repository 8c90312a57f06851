"""OpenAPI descriptions of the referrals API (drf-spectacular).

The request example for submitting a referral is read from
docs/api/example-referral.json, the file the tests submit, so the example in
the schema is always one the API accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from referrals.models import ChallengeOutcome, Decision, Status

EXAMPLE_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "example-referral.json"

Error = inline_serializer("Error", {
    "error": serializers.CharField(help_text="A code: invalid, not_found, permission_denied, conflict..."),
    "message": serializers.CharField(),
    "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                    help_text='Messages by field path, e.g. "children.0.nhs_number".'),
})

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error}


def example_referral() -> dict[str, Any]:
    return json.loads(EXAMPLE_FILE.read_text())


def action(summary: str, body: dict[str, serializers.Field] | None = None, name: str = "", **kwargs: Any) -> Any:
    """A front-door or referrer action on one referral: JSON body in, the referral out."""
    request = inline_serializer(name, body) if body else None
    return extend_schema(summary=summary, request=request, responses={200: OpenApiTypes.OBJECT, **ERRORS}, **kwargs)


submit = extend_schema(
    operation_id="referrals_create",
    summary="Send a referral or consultation",
    description=(
        "The whole referral as one JSON document; the same rules as the web form. "
        "Send an `Idempotency-Key` header to make retries safe: the same key returns the first "
        "receipt (with `Idempotent-Replayed: true`); the same key with a different body is a 422."
    ),
    request=OpenApiTypes.OBJECT,
    parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    examples=[OpenApiExample("A full referral", value=example_referral(), request_only=True)],
    responses={201: OpenApiTypes.OBJECT, 422: Error, **ERRORS},
)

listing = extend_schema(
    operation_id="referrals_list",
    summary="The referrals you may see, newest first",
    parameters=[
        OpenApiParameter("status", str, enum=Status.values, required=False),
        OpenApiParameter("received_after", OpenApiTypes.DATE, required=False),
        OpenApiParameter("received_before", OpenApiTypes.DATE, required=False),
        OpenApiParameter("updated_since", OpenApiTypes.DATETIME, required=False),
        OpenApiParameter("cursor", str, required=False),
        OpenApiParameter("page_size", int, required=False),
    ],
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
)

detail = extend_schema(operation_id="referrals_retrieve", summary="One referral: content, status, timeline",
                       responses={200: OpenApiTypes.OBJECT, **ERRORS})
acknowledge = action("Acknowledge (front door)")
convert = action("Turn a consultation into a referral (front door)")
assign = action("Assign to a worker (front door)", {"assignee": serializers.CharField(help_text='"me" or a user id')},
                "AssignBody")
request_information = action("Ask the referrer or a partner agency for more (front door)", {
    "question": serializers.CharField(),
    "to_agency": serializers.CharField(required=False, help_text='An agency id, or "referrer" (the default)'),
}, "InformationRequestBody")
answer_information = action("Answer the front door's question (referrer)", {"answer": serializers.CharField()},
                            "InformationAnswerBody")
decide = action("Record the decision; the outcome goes to the referrer (front door)", {
    "decision": serializers.ChoiceField(choices=Decision.choices),
    "reasons": serializers.CharField(),
    "next_steps": serializers.CharField(required=False),
    "next_steps_owner": serializers.CharField(required=False),
}, "DecisionBody")
challenge = action("Challenge the decision (referrer or their agency's lead)", {"reasons": serializers.CharField()},
                   "ChallengeBody")
answer_challenge = action("Answer a challenge (managers)", {
    "outcome": serializers.ChoiceField(choices=ChallengeOutcome.choices),
    "response": serializers.CharField(),
}, "ChallengeAnswerBody")
Question = inline_serializer("Question", {
    "id": serializers.IntegerField(),
    "reference": serializers.CharField(),
    "about": serializers.ListField(child=serializers.DictField()),
    "question": serializers.CharField(),
    "asked_at": serializers.DateTimeField(),
    "due_by": serializers.DateTimeField(),
    "open": serializers.BooleanField(),
    "answer": serializers.CharField(allow_null=True),
    "answered_at": serializers.DateTimeField(allow_null=True),
}, many=True)

questions = extend_schema(summary="Questions the front door asked your agency",
                          responses={200: Question, **ERRORS})
answer_question = action("Answer a question put to your agency", {"answer": serializers.CharField()},
                         "AgencyAnswerBody")
