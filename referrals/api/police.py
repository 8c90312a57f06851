"""The API for police and front-door systems: the police's list, one
referral as the police see it, an officer's acknowledgement; the front door
telling the police about a possible crime and recording a strategy
discussion. The same services, forms and access path as the pages.

GET  /api/v1/police/referrals/                          officers: what your force was told
GET  /api/v1/police/referrals/{reference}/              officers: what the discussion needs
POST /api/v1/police/referrals/{reference}/acknowledge/  officers: acknowledge by name
POST /api/v1/referrals/{reference}/tell-police/         front door: {"note"}
POST /api/v1/referrals/{reference}/strategy-discussion/ front door: what happened
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Action
from audit.services import record_event
from core.http import AuthenticatedRequest
from referrals.api.police_serializers import (
    PoliceNoticeDetailSerializer,
    PoliceNoticeSerializer,
    police_list_data,
)
from referrals.api.schema import ERRORS, action
from referrals.api.serializers import ReferralSerializer, form_body
from referrals.api.views import (
    CHECK_FIELDS,
    _act,
    _body,
    _origin,
    _plain,
    form_errors_json,
    referral_json,
)
from referrals.forms.triage import PossibleCrimeForm, StrategyRecordForm
from referrals.models import PoliceNotice, StrategyOutcome
from referrals.selectors.access import (
    get_police_notice_for_user,
    get_referral_for_user,
    permissions_for,
    police_forces_of,
    require,
)
from referrals.selectors.police import police_list
from referrals.selectors.strategy import strategy_for
from referrals.services.common import NotAllowedNow
from referrals.services.police import (
    PoliceAlreadyAcknowledged,
    acknowledge_for_police,
    mark_possible_crime,
)
from referrals.services.strategy import record_strategy_discussion

LIST_LIMIT = 200


def _detail(notice: PoliceNotice) -> Any:
    return PoliceNoticeDetailSerializer(
        notice, context={"strategy": strategy_for(notice.referral), "now": timezone.now()}
    ).data


class PoliceReferralList(APIView):
    @extend_schema(
        summary="Referrals your police force was told about, not yet acknowledged first (officers)",
        responses={200: PoliceNoticeSerializer(many=True), **ERRORS},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if not police_forces_of(request.user):
            raise PermissionDenied("Only police officers can see the police's referrals")
        record_event(
            actor=request.user,
            action=Action.LISTED,
            object_type="referral",
            origin=_origin(request),
            detail={"page": "police"},
        )
        return Response(police_list_data(police_list(request.user)[:LIST_LIMIT]))


class PoliceReferralDetail(APIView):
    @extend_schema(
        summary="One referral as a strategy discussion needs it (officers)",
        responses={200: PoliceNoticeDetailSerializer, **ERRORS},
    )
    def get(self, request: AuthenticatedRequest, reference: str) -> Response:
        notice = get_police_notice_for_user(request.user, reference)
        record_event(
            actor=request.user,
            action=Action.VIEWED,
            object_type="referral",
            object_ref=notice.referral.reference,
            origin=_origin(request),
            detail={"page": "police"},
        )
        return Response(_detail(notice))


class PoliceAcknowledge(APIView):
    @extend_schema(
        summary="Acknowledge for the police, by name (officers)",
        request=None,
        responses={200: PoliceNoticeDetailSerializer, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        notice = get_police_notice_for_user(request.user, reference)
        try:
            acknowledge_for_police(notice=notice, actor=request.user, origin=_origin(request))
        except PoliceAlreadyAcknowledged as exc:
            return Response(
                {
                    "error": "already_acknowledged",
                    "message": f"{notice.referral.reference} is already acknowledged",
                    "notice": _detail(exc.notice),
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(_detail(notice))


class TellPolice(APIView):
    @action(
        "Tell the police about a possible crime (front door)",
        form_body("PossibleCrimeBody", PossibleCrimeForm),
    )
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        return _act(
            request,
            reference,
            PossibleCrimeForm,
            lambda r, d: mark_possible_crime(
                referral=r, actor=request.user, note=d["note"], origin=_origin(request)
            ),
        )


class RecordStrategyDiscussion(APIView):
    @extend_schema(
        summary="Record what happened at the strategy discussion (front door)",
        request=inline_serializer(
            "StrategyRecordBody",
            {
                "held_on": serializers.DateField(),
                "held_time": serializers.CharField(help_text="24-hour clock, e.g. 14:30"),
                "took_part": serializers.ListField(
                    child=serializers.IntegerField(),
                    required=False,
                    help_text="Ids of the participants who took part",
                ),
                "outcome": serializers.ChoiceField(choices=StrategyOutcome.choices),
                "next_steps": serializers.CharField(required=False),
                "conference_follows": serializers.ChoiceField(choices=["yes", "no"]),
                "conference_date": serializers.DateField(required=False),
            },
        ),
        responses={200: ReferralSerializer, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        return _record(request, reference)


def _record(request: AuthenticatedRequest, reference: str) -> Response:
    """Like `_act`, with the participants the form offers as "who took part"."""
    referral = get_referral_for_user(request.user, reference)
    require(
        permissions_for(request.user, referral).can_act,
        "Only front-door staff of this front door can do this",
    )
    discussion = strategy_for(referral)
    if discussion is None:
        raise Http404("No strategy discussion for this referral")
    body = _body(request)
    data: dict[str, Any] = {k: _plain(v) for k, v in body.items()}
    if isinstance(data.get("took_part"), list):
        data["took_part"] = [str(v) for v in data["took_part"]]
    form = StrategyRecordForm(data=data, participants=list(discussion.participants.all()))
    if not form.is_valid():
        return Response(form_errors_json(form), status=status.HTTP_400_BAD_REQUEST)
    try:
        record_strategy_discussion(
            discussion=discussion,
            actor=request.user,
            held_at=form.held_at(),
            took_part=[int(pk) for pk in form.cleaned_data["took_part"]],
            outcome=form.cleaned_data["outcome"],
            next_steps=form.cleaned_data["next_steps"],
            conference_follows=form.cleaned_data["conference_follows"] == "yes",
            conference_date=form.cleaned_data["conference_date"],
            origin=_origin(request),
        )
    except ValidationError as exc:
        return Response(
            {"error": "invalid", "message": CHECK_FIELDS, "fields": exc.message_dict},
            status=status.HTTP_400_BAD_REQUEST,
        )
    except NotAllowedNow as exc:
        return Response({"error": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT)
    referral.refresh_from_db()
    return Response(referral_json(referral, viewer=request.user))
