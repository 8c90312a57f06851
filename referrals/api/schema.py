"""OpenAPI descriptions of the referrals API (drf-spectacular), read from the
output serializers and from the page forms that check each request.

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

from referrals.api.serializers import (
    ContactReceiptSerializer,
    ErrorSerializer,
    ListItemSerializer,
    QuestionSerializer,
    ReferralSerializer,
    SubmittedSerializer,
    form_body,
    form_fields,
)
from referrals.content import CONTACT_SECTIONS, SECTIONS
from referrals.forms.triage import (
    ChallengeAnswerForm,
    ChallengeForm,
    DecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
)
from referrals.models import Status

EXAMPLE_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "example-referral.json"
ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409)}


def example_referral() -> dict[str, Any]:
    example: dict[str, Any] = json.loads(EXAMPLE_FILE.read_text())
    return example


def submission_body() -> Any:
    """The whole referral document, section by section, from the question
    pages' forms (referrals.content.SECTIONS)."""
    fields: dict[str, Any] = {}
    for section in SECTIONS:
        if not section.key:
            fields.update(form_fields(section.form))
            continue
        name = "Referral" + "".join(part.title() for part in section.key.split("_"))
        if section.many:
            fields[section.key] = form_body(
                name, section.form, many=True, required=bool(section.min_items)
            )
        else:
            fields[section.key] = form_body(name, section.form)
    return inline_serializer("ReferralSubmission", fields)


def contact_body() -> Any:
    """A contact the front door recorded: its own section first, then the
    question pages' forms as a contact asks them (referrals.content.CONTACT_SECTIONS)."""
    fields: dict[str, Any] = {}
    for section in CONTACT_SECTIONS:
        if not section.key:
            fields.update(form_fields(section.form))
            continue
        name = "Contact" + "".join(part.title() for part in section.key.split("_"))
        if section.many:
            fields[section.key] = form_body(
                name, section.form, many=True, required=bool(section.min_items)
            )
        else:
            fields[section.key] = form_body(name, section.form)
    fields["close_as_information_only"] = serializers.BooleanField(required=False)
    fields["closing_reasons"] = serializers.CharField(required=False)
    return inline_serializer("ContactRecording", fields)


def action(summary: str, body: Any = None) -> Any:
    """A front-door or referrer action on one referral: a body in, the referral out."""
    return extend_schema(
        summary=summary, request=body, responses={200: ReferralSerializer, **ERRORS}
    )


submit = extend_schema(
    operation_id="referrals_create",
    summary="Send a referral or consultation",
    description=(
        "The whole referral as one JSON document; the same rules as the web form. "
        "Send an `Idempotency-Key` header to make retries safe: the same key returns the first "
        "receipt (with `Idempotent-Replayed: true`); the same key with a different body is a 422."
    ),
    request=submission_body(),
    parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    examples=[OpenApiExample("A full referral", value=example_referral(), request_only=True)],
    responses={201: SubmittedSerializer, 422: ErrorSerializer, **ERRORS},
)

record_contact = extend_schema(
    operation_id="contacts_create",
    summary="Record a contact the front door received (front-door staff)",
    description=(
        "A phone call, email, letter or visit, as the Record a contact pages take it: "
        "`contact` says how it came in, when it was received (`received_on` YYYY-MM-DD and "
        "`received_time` HH:MM, local time; the deadlines run from then) and who from. "
        "`close_as_information_only` with `closing_reasons` closes it at once."
    ),
    request=contact_body(),
    responses={201: ContactReceiptSerializer, **ERRORS},
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
    responses={
        200: inline_serializer(
            "ReferralPage",
            {
                "next": serializers.URLField(
                    allow_null=True, help_text="The next page, or null on the last"
                ),
                "previous": serializers.URLField(allow_null=True),
                "results": ListItemSerializer(many=True),
            },
        ),
        **ERRORS,
    },
)

detail = extend_schema(
    operation_id="referrals_retrieve",
    summary="One referral: content, status, timeline",
    responses={200: ReferralSerializer, **ERRORS},
)
acknowledge = action("Acknowledge (front door)")
convert = action("Turn a consultation into a referral (front door)")
assign = action(
    "Assign to a worker (front door)",
    inline_serializer(
        "AssignBody",
        {
            "assignee": serializers.CharField(help_text='"me" or a user id'),
        },
    ),
)
request_information = action(
    "Ask the referrer or a partner agency for more (front door)",
    form_body(
        "InformationRequestBody",
        InformationRequestForm,
        help={"to_agency": 'An agency id, or "referrer" (the default)'},
    ),
)
answer_information = action(
    "Answer the front door's question (referrer)",
    form_body("InformationAnswerBody", InformationAnswerForm),
)
decide = action(
    "Record the decision; the outcome goes to the referrer (front door)",
    form_body("DecisionBody", DecisionForm),
)
challenge = action(
    "Challenge the decision (referrer or their agency's lead)",
    form_body("ChallengeBody", ChallengeForm),
)
answer_challenge = action(
    "Answer a challenge (managers)", form_body("ChallengeAnswerBody", ChallengeAnswerForm)
)
questions = extend_schema(
    summary="Questions the front door asked your agency",
    responses={200: QuestionSerializer(many=True), **ERRORS},
)
answer_question = extend_schema(
    summary="Answer a question put to your agency",
    request=form_body("AgencyAnswerBody", InformationAnswerForm),
    responses={200: QuestionSerializer, **ERRORS},
)
