"""The referrals API: the same services and access path as the pages.

    POST /api/v1/referrals/                         submit; 201 with the receipt
    GET  /api/v1/referrals/{reference}/             content, status, escalations, timeline
    POST /api/v1/referrals/{reference}/acknowledge/ front-door staff only
    POST /api/v1/referrals/{reference}/convert/     consultation -> referral, front door only
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import get_access
from referrals import selectors
from referrals.content import Problem, vague_words_in, validate_content
from referrals.models import Referral
from referrals.services import (
    AlreadyAcknowledged,
    acknowledge_referral,
    convert_to_referral,
    submit_referral,
)


def problems_json(problems: list[Problem]) -> dict[str, Any]:
    """Field errors keyed by path, e.g. "children.0.nhs_number", as the form gives them."""
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.path, []).append(problem.message)
    return {"error": "invalid", "message": "Check the fields listed", "fields": fields}


def receipt_json(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "kind": referral.kind,
        "urgency": referral.urgency,
        "status": referral.status,
        "received_at": referral.received_at,
        "acknowledge_by": referral.acknowledge_by,
        "decide_by": referral.decide_by,
    }


def referral_json(referral: Referral) -> dict[str, Any]:
    who = referral.acknowledged_by
    selectors.with_parts(referral)
    return {
        **receipt_json(referral),
        "sending_agency": referral.sending_agency.name,
        "pre_birth": referral.is_pre_birth,
        "expected_due_date": referral.expected_due_date,
        "non_mobile_injury": referral.non_mobile_injury,
        "police_notified_at": referral.police_notified_at,
        "strategy_discussion_by": referral.strategy_discussion_by,
        "children": [
            {
                "first_name": c.first_name, "last_name": c.last_name,
                "date_of_birth": c.date_of_birth,
                "expected_date_of_delivery": c.expected_date_of_delivery,
                "sex": c.sex, "nhs_number": c.nhs_number, "postcode": c.postcode,
                "plan_status": c.plan_status,
            }
            for c in referral.children.all()
        ],
        "adults": [
            {"first_name": a.first_name, "last_name": a.last_name, "relationship": a.relationship,
             "lives_with_child": a.lives_with_child,
             "parental_responsibility": a.parental_responsibility,
             "known_concerns": a.known_concerns}
            for a in referral.adults.all()
        ],
        "father_not_recorded_reason": referral.father_not_recorded_reason,
        "other_agencies": [
            {"agency_type": a.agency_type, "organisation": a.organisation,
             "practitioner": a.practitioner, "phone": a.phone, "email": a.email}
            for a in referral.involved_agencies.all()
        ],
        "previous_areas": [
            {"address": p.address, "local_authority": p.local_authority, "when": p.when}
            for p in referral.previous_areas.all()
        ],
        "concern": {
            "categories": referral.concern_categories,
            "what_happened": referral.what_happened,
            "when_happened": referral.when_happened,
            "childs_experience": referral.childs_experience,
            "action_taken": referral.action_taken,
            "immediate_risk": referral.immediate_risk,
        },
        "consent": {
            "family_aware": referral.family_aware,
            "consent": referral.consent,
            "no_consent_basis": referral.no_consent_basis,
            "no_consent_reason": referral.no_consent_reason,
        },
        "acknowledgement": (
            {"at": referral.acknowledged_at, "by": who.get_full_name() or who.get_username()}
            if who else None
        ),
        "escalation_level": referral.escalation_level,
        "escalations": [
            {"rule": e.rule, "level": e.level, "to": e.level_label, "due_at": e.due_at,
             "escalated_at": e.escalated_at}
            for e in selectors.escalations_for(referral)
        ],
        "timeline": [
            {"at": event.at, "event": event.kind, "summary": event.summary}
            for event in selectors.timeline(referral)
        ],
    }


class ReferralListCreate(APIView):
    def post(self, request: Request) -> Response:
        if get_access(request.user).sending_grant() is None:
            raise PermissionDenied("Only people at a partner agency can send referrals")
        content, problems = validate_content(request.data)
        if content is None:
            return Response(problems_json(problems), status=status.HTTP_400_BAD_REQUEST)
        referral = submit_referral(
            sender=request.user, content=content, via="api", request=request._request
        )
        body = receipt_json(referral)
        body["warnings"] = [
            f"The concern uses '{word}': say what you saw or were told, and what you mean."
            for word in vague_words_in(referral.what_happened, referral.childs_experience)
        ]
        return Response(body, status=status.HTTP_201_CREATED)


class ReferralDetail(APIView):
    def get(self, request: Request, reference: str) -> Response:
        from audit.models import Action
        from audit.services import record_event

        referral = selectors.get_referral_for_user(request.user, reference)
        record_event(actor=request.user, action=Action.VIEWED, object_type="referral",
                     object_ref=referral.reference, via="api", request=request._request)
        return Response(referral_json(referral))


class ReferralConvert(APIView):
    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        referral = convert_to_referral(
            referral=referral, actor=request.user, via="api", request=request._request
        )
        return Response(referral_json(referral))


class ReferralAcknowledge(APIView):
    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        try:
            referral = acknowledge_referral(
                referral=referral, actor=request.user, via="api", request=request._request
            )
        except AlreadyAcknowledged as exc:
            return Response(
                {"error": "already_acknowledged",
                 "message": f"{exc.referral.reference} is already acknowledged",
                 "referral": referral_json(exc.referral)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(referral_json(referral))
