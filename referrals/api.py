"""The referrals API: the same services and access path as the pages.

    POST /api/v1/referrals/                         submit; 201 with the receipt
    GET  /api/v1/referrals/{reference}/             status, escalations, timeline
    POST /api/v1/referrals/{reference}/acknowledge/ front-door staff only
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import get_access
from referrals import selectors
from referrals.forms import ReferralForm
from referrals.models import Kind, Referral, Urgency
from referrals.services import AlreadyAcknowledged, acknowledge_referral, submit_referral


class ReferralInput(serializers.Serializer):
    """Parses JSON, then hands the values to the same form the web page uses,
    so a rule is written once and the page and the API give the same errors."""

    # Presence and content rules live in the form; here only JSON types.
    kind = serializers.CharField(required=False, allow_blank=True, help_text=f"One of {Kind.values}")
    urgency = serializers.CharField(required=False, allow_blank=True, help_text=f"One of {Urgency.values}")
    child_first_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    child_last_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    child_date_of_birth = serializers.DateField(required=False, allow_null=True)
    concern_summary = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    sender_phone = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, str] = {
            key: value for key, value in attrs.items() if key != "child_date_of_birth"
        }
        dob: dt.date | None = attrs.get("child_date_of_birth")
        if dob is not None:
            data.update({
                "child_date_of_birth-day": str(dob.day),
                "child_date_of_birth-month": str(dob.month),
                "child_date_of_birth-year": str(dob.year),
            })
        form = ReferralForm(data)
        if not form.is_valid():
            raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
        attrs["submission"] = form.submission()
        return attrs


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
    return {
        **receipt_json(referral),
        "sending_agency": referral.sending_agency.name,
        "child": {
            "first_name": referral.child_first_name,
            "last_name": referral.child_last_name,
            "date_of_birth": referral.child_date_of_birth,
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
        serializer = ReferralInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = submit_referral(
            sender=request.user,
            submission=serializer.validated_data["submission"],
            via="api",
            request=request._request,
        )
        return Response(receipt_json(referral), status=status.HTTP_201_CREATED)


class ReferralDetail(APIView):
    def get(self, request: Request, reference: str) -> Response:
        from audit.models import Action
        from audit.services import record_event

        referral = selectors.get_referral_for_user(request.user, reference)
        record_event(actor=request.user, action=Action.VIEWED, object_type="referral",
                     object_ref=referral.reference, via="api", request=request._request)
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
