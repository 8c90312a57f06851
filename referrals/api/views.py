"""The referrals API: the same services and access path as the pages.

GET  /api/v1/referrals/                         the referrals you may see, newest first
POST /api/v1/referrals/                         submit; 201 with the receipt
GET  /api/v1/referrals/{reference}/             content, status, escalations, timeline
POST /api/v1/referrals/{reference}/acknowledge/ front-door staff only
POST /api/v1/referrals/{reference}/convert/     consultation -> referral, front door only
POST /api/v1/referrals/{reference}/assign/      {"assignee": "me" | user id}
POST /api/v1/referrals/{reference}/request-information/                 {"question"}
POST /api/v1/referrals/{reference}/information-requests/{id}/answer/    {"answer"}
POST /api/v1/referrals/{reference}/decide/      {"decision", "reasons", "next_steps", ...}
POST /api/v1/referrals/{reference}/challenge/   {"reasons"}
POST /api/v1/referrals/{reference}/challenges/{id}/answer/  {"outcome", "response"}
POST /api/v1/contacts/                          record a contact (front-door staff)
GET  /api/v1/questions/                         questions the front door asked your agency
POST /api/v1/questions/{id}/answer/             {"answer"}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedRequest
from referrals.api import schema
from referrals.api.serializers import (
    ContactReceiptSerializer,
    ListItemSerializer,
    QuestionSerializer,
    ReferralSerializer,
    SubmittedSerializer,
)
from referrals.content import Problem, vague_words_in, validate_content
from referrals.forms.triage import (
    ChallengeAnswerForm,
    ChallengeForm,
    DecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
)
from referrals.models import Referral, Status
from referrals.selectors.access import (
    front_door_recording_for,
    get_question_for_user,
    get_referral_for_user,
    questions_for,
    referrals_visible_to,
)
from referrals.selectors.people import partner_agencies, user_by_id
from referrals.selectors.timeline import (
    escalations_for,
    information_requests_for,
    timeline,
    with_parts,
)
from referrals.services.acknowledge import AlreadyAcknowledged, acknowledge_referral
from referrals.services.challenge import answer_challenge, raise_challenge
from referrals.services.common import NotAllowedNow
from referrals.services.contacts import record_contact
from referrals.services.decision import decide_referral
from referrals.services.submit import (
    IdempotencyConflict,
    fingerprint_of,
    submit_referral,
    submit_referral_once,
)
from referrals.services.triage import (
    answer_information_request,
    assign_referral,
    convert_to_referral,
    request_information,
)

CHECK_FIELDS = "Check the fields listed"


def _origin(request: Request) -> Origin:
    return Origin.of(request._request, via="api")


def _body(request: Request) -> dict[str, Any]:
    """The JSON object sent, or {} for any other JSON (a list, a number)."""
    data: object = request.data  # typed as a dict, but whatever JSON was sent
    return data if isinstance(data, dict) else {}


def problems_json(problems: list[Problem]) -> dict[str, Any]:
    """Field errors keyed by path, e.g. "children.0.nhs_number", as the form gives them."""
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.path, []).append(problem.message)
    return {"error": "invalid", "message": CHECK_FIELDS, "fields": fields}


def form_errors_json(form: forms.Form) -> dict[str, Any]:
    fields = {name: list(errors) for name, errors in form.errors.items()}
    return {"error": "invalid", "message": CHECK_FIELDS, "fields": fields}


def referral_json(referral: Referral, *, viewer: Any) -> Any:
    """The referral as this viewer may see it."""
    with_parts(referral)
    escalations = escalations_for(referral)
    return ReferralSerializer(
        referral,
        context={
            "escalations": escalations,
            "timeline": timeline(referral, viewer=viewer, escalations=escalations),
            "information_requests": information_requests_for(referral, viewer=viewer),
        },
    ).data


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | list) else ("" if value is None else str(value))


def _act(
    request: Request,
    reference: str,
    form_class: Callable[..., forms.Form],
    action: Callable[[Referral, dict[str, Any]], Any],
) -> Response:
    """Validate with the page's form, run one service, answer with the referral."""
    referral = get_referral_for_user(request.user, reference)
    data = _body(request)
    form = form_class(data={k: _plain(v) for k, v in data.items()})
    if not form.is_valid():
        return Response(form_errors_json(form), status=status.HTTP_400_BAD_REQUEST)
    try:
        action(referral, form.cleaned_data)
    except ValidationError as exc:
        return Response(
            {"error": "invalid", "message": CHECK_FIELDS, "fields": exc.message_dict},
            status=status.HTTP_400_BAD_REQUEST,
        )
    except NotAllowedNow as exc:
        return Response({"error": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT)
    referral.refresh_from_db()
    return Response(referral_json(referral, viewer=request.user))


class ReferralCursor(CursorPagination):
    """Stable pages while new referrals arrive: newest first, 50 a page."""

    ordering = ("-received_at", "-id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        # A cursor is ours, but anyone can send one: a made-up position is
        # "not found", never a server error.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError, TypeError):
            raise NotFound("That page cursor is not valid: start from the first page") from None


def _parse_filter(query: Any, name: str, parse: Callable[[str], Any]) -> tuple[Any, str | None]:
    """A date or time filter, or the name of the filter that is wrong.
    Only years 2000 to 2100: anything else is a mistake, and a database may
    not take it (odd offsets, year 367)."""
    value = query.get(name)
    if value in (None, ""):
        return None, None
    try:
        parsed = parse(value)
    except ValueError:
        return None, name
    if isinstance(parsed, dt.datetime):
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if not 2000 <= parsed.year <= 2100:
        return None, name
    return parsed, None


class ReferralListCreate(APIView):
    @schema.listing
    def get(self, request: AuthenticatedRequest) -> Response:
        """GET /api/v1/referrals/?status=&received_after=&received_before=&updated_since=

        The referrals you may see (your own, your agency's if you lead it, or
        your front door's), newest first, with cursor pagination.
        """
        query = request.query_params
        errors: dict[str, list[str]] = {}
        status_filter = query.get("status")
        if status_filter and status_filter not in Status.values:
            errors["status"] = [f"Use one of: {', '.join(Status.values)}"]
        after, bad = _parse_filter(query, "received_after", dt.date.fromisoformat)
        if bad:
            errors[bad] = ["Use a date like 2026-11-01 (between 2000 and 2100)"]
        before, bad = _parse_filter(query, "received_before", dt.date.fromisoformat)
        if bad:
            errors[bad] = ["Use a date like 2026-11-30 (between 2000 and 2100)"]
        since, bad = _parse_filter(query, "updated_since", dt.datetime.fromisoformat)
        if bad:
            errors[bad] = ["Use a date and time like 2026-11-25T09:00:00Z"]
        if errors:
            return Response(
                {"error": "invalid", "message": CHECK_FIELDS, "fields": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        referrals = referrals_visible_to(request.user)
        if status_filter:
            referrals = referrals.filter(status=status_filter)
        tz = timezone.get_current_timezone()
        if after:
            referrals = referrals.filter(
                received_at__gte=dt.datetime.combine(after, dt.time.min, tzinfo=tz)
            )
        if before:
            referrals = referrals.filter(
                received_at__lt=dt.datetime.combine(
                    before + dt.timedelta(days=1), dt.time.min, tzinfo=tz
                )
            )
        if since:
            referrals = referrals.filter(updated_at__gte=since)
        paginator = ReferralCursor()
        page = paginator.paginate_queryset(referrals, request, view=self)
        record_event(
            actor=request.user,
            action=Action.LISTED,
            object_type="referral",
            origin=_origin(request),
            detail={"count": len(page or [])},
        )
        return paginator.get_paginated_response(ListItemSerializer(page or [], many=True).data)

    @schema.submit
    def post(self, request: AuthenticatedRequest) -> Response:
        if get_access(request.user).sending_grant() is None:
            raise PermissionDenied("Only people at a partner agency can send referrals")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
            return Response(
                {
                    "error": "invalid",
                    "message": "Idempotency-Key must be 1 to 200 printable characters",
                    "fields": {"Idempotency-Key": ["Use a unique value per referral, like a UUID"]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        content, problems = validate_content(request.data)
        if content is None:
            return Response(problems_json(problems), status=status.HTTP_400_BAD_REQUEST)
        replayed = False
        if key is None:
            referral = submit_referral(
                sender=request.user, content=content, origin=_origin(request)
            )
        else:
            try:
                referral, created = submit_referral_once(
                    sender=request.user,
                    content=content,
                    idempotency_key=key,
                    fingerprint=fingerprint_of(request.data),
                    origin=_origin(request),
                )
            except IdempotencyConflict:
                return Response(
                    {
                        "error": "idempotency_conflict",
                        "message": "This Idempotency-Key was used with a different referral",
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            replayed = not created
        warnings = [
            f"The concern uses '{word}': say what you saw or were told, and what you mean."
            for word in vague_words_in(referral.what_happened, referral.childs_experience)
        ]
        response = Response(
            SubmittedSerializer(referral, context={"warnings": warnings}).data,
            status=status.HTTP_201_CREATED,
        )
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ContactCreate(APIView):
    @schema.record_contact
    def post(self, request: AuthenticatedRequest) -> Response:
        """Record a contact with the same rules as the Record a contact pages."""
        if front_door_recording_for(request.user) is None:
            raise PermissionDenied("Only front-door practitioners and managers record contacts")
        body = _body(request)
        content, problems = validate_content(body, contact=True)
        closing = body.get("close_as_information_only") in (True, "yes", "true")
        reasons = body.get("closing_reasons")
        reasons = reasons if isinstance(reasons, str) else ""
        if closing and not reasons.strip():
            problems.append(
                Problem(
                    "closing_reasons",
                    "Enter why the contact is closed as information only",
                    "contact",
                )
            )
        if content is None or problems:
            return Response(problems_json(problems), status=status.HTTP_400_BAD_REQUEST)
        referral = record_contact(
            recorder=request.user,
            content=content,
            close_as_information_only=closing,
            closing_reasons=reasons[:10_000],
            origin=_origin(request),
        )
        return Response(ContactReceiptSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetail(APIView):
    @schema.detail
    def get(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        record_event(
            actor=request.user,
            action=Action.VIEWED,
            object_type="referral",
            object_ref=referral.reference,
            origin=_origin(request),
        )
        return Response(referral_json(referral, viewer=request.user))


class ReferralConvert(APIView):
    @schema.convert
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        referral = convert_to_referral(
            referral=referral, actor=request.user, origin=_origin(request)
        )
        return Response(referral_json(referral, viewer=request.user))


class ReferralAcknowledge(APIView):
    @schema.acknowledge
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        try:
            referral = acknowledge_referral(
                referral=referral, actor=request.user, origin=_origin(request)
            )
        except AlreadyAcknowledged as exc:
            return Response(
                {
                    "error": "already_acknowledged",
                    "message": f"{exc.referral.reference} is already acknowledged",
                    "referral": referral_json(exc.referral, viewer=request.user),
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(referral_json(referral, viewer=request.user))


class ReferralAssign(APIView):
    """{"assignee": "me" | <user id>}"""

    @schema.assign
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        value = _body(request).get("assignee")
        assignee = request.user if value == "me" else user_by_id(value)
        if assignee is None:
            return Response(
                {
                    "error": "invalid",
                    "message": CHECK_FIELDS,
                    "fields": {"assignee": ["Choose who to assign it to"]},
                },
                status=400,
            )
        try:
            assign_referral(
                referral=referral, actor=request.user, assignee=assignee, origin=_origin(request)
            )
        except ValidationError as exc:
            return Response(
                {"error": "invalid", "message": CHECK_FIELDS, "fields": exc.message_dict},
                status=400,
            )
        referral.refresh_from_db()
        return Response(referral_json(referral, viewer=request.user))


class ReferralRequestInformation(APIView):
    """{"question": "...", "to_agency": <agency id>} (leave out to_agency to ask the referrer)."""

    @schema.request_information
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        agencies = partner_agencies(referral)

        def form_class(data: dict[str, Any]) -> InformationRequestForm:
            return InformationRequestForm(data=data, agencies=agencies)

        def action(r: Referral, d: dict[str, Any]) -> None:
            to_agency = next((a for a in agencies if str(a.pk) == d["to_agency"]), None)
            request_information(
                referral=r,
                actor=request.user,
                question=d["question"],
                to_agency=to_agency,
                origin=_origin(request),
            )

        return _act(request, reference, form_class, action)


class ReferralAnswerInformation(APIView):
    @schema.answer_information
    def post(self, request: AuthenticatedRequest, reference: str, request_id: int) -> Response:
        def action(referral: Referral, data: dict[str, Any]) -> None:
            info = referral.information_requests.filter(pk=request_id).first()
            if info is None:
                raise Http404("No such question")
            answer_information_request(
                info=info, actor=request.user, answer=data["answer"], origin=_origin(request)
            )

        return _act(request, reference, InformationAnswerForm, action)


class ReferralDecide(APIView):
    @schema.decide
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        return _act(
            request,
            reference,
            DecisionForm,
            lambda r, d: decide_referral(
                referral=r,
                actor=request.user,
                decision=d["decision"],
                reasons=d["reasons"],
                next_steps=d["next_steps"],
                next_steps_owner=d["next_steps_owner"],
                origin=_origin(request),
            ),
        )


class ReferralChallenge(APIView):
    @schema.challenge
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        return _act(
            request,
            reference,
            ChallengeForm,
            lambda r, d: raise_challenge(
                referral=r, actor=request.user, reasons=d["reasons"], origin=_origin(request)
            ),
        )


class ReferralAnswerChallenge(APIView):
    @schema.answer_challenge
    def post(self, request: AuthenticatedRequest, reference: str, challenge_id: int) -> Response:
        def action(referral: Referral, data: dict[str, Any]) -> None:
            item = referral.challenges.filter(pk=challenge_id).first()
            if item is None:
                raise Http404("No such challenge")
            answer_challenge(
                challenge=item,
                actor=request.user,
                outcome=data["outcome"],
                response=data["response"],
                origin=_origin(request),
            )

        return _act(request, reference, ChallengeAnswerForm, action)


class QuestionsForAgency(APIView):
    """GET /api/v1/questions/: questions the front door asked your agency."""

    @schema.questions
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(QuestionSerializer(questions_for(request.user), many=True).data)


class AnswerQuestionForAgency(APIView):
    """POST /api/v1/questions/{id}/answer/ {"answer": "..."}"""

    @schema.answer_question
    def post(self, request: AuthenticatedRequest, question_id: int) -> Response:
        info = get_question_for_user(request.user, question_id)
        data = _body(request)
        form = InformationAnswerForm(data={"answer": _plain(data.get("answer"))})
        if not form.is_valid():
            return Response(form_errors_json(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            answer_information_request(
                info=info,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                origin=_origin(request),
            )
        except NotAllowedNow as exc:
            return Response(
                {"error": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT
            )
        info.refresh_from_db()
        return Response(QuestionSerializer(info).data)
