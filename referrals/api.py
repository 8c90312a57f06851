"""The referrals API: the same services and access path as the pages.

    POST /api/v1/referrals/                         submit; 201 with the receipt
    GET  /api/v1/referrals/{reference}/             content, status, escalations, timeline
    POST /api/v1/referrals/{reference}/acknowledge/ front-door staff only
    POST /api/v1/referrals/{reference}/convert/     consultation -> referral, front door only
    POST /api/v1/referrals/{reference}/assign/      {"assignee": "me" | user id}
    POST /api/v1/referrals/{reference}/request-information/                 {"question"}
    POST /api/v1/referrals/{reference}/information-requests/{id}/answer/    {"answer"}
    POST /api/v1/referrals/{reference}/decide/      {"decision", "reasons", "next_steps", "next_steps_owner"}
    POST /api/v1/referrals/{reference}/challenge/   {"reasons"}
    POST /api/v1/referrals/{reference}/challenges/{id}/answer/  {"outcome", "response"}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import get_access
from audit.models import Action
from audit.services import record_event
from referrals import api_schema as schema
from referrals import selectors, triage
from referrals.content import Problem, vague_words_in, validate_content
from referrals.models import Referral, Status
from referrals.services import (
    AlreadyAcknowledged,
    IdempotencyConflict,
    acknowledge_referral,
    convert_to_referral,
    fingerprint_of,
    submit_referral,
    submit_referral_once,
)
from referrals.triage_forms import (
    ChallengeAnswerForm,
    ChallengeForm,
    DecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
)


def problems_json(problems: list[Problem]) -> dict[str, Any]:
    """Field errors keyed by path, e.g. "children.0.nhs_number", as the form gives them."""
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(problem.path, []).append(problem.message)
    return {"error": "invalid", "message": "Check the fields listed", "fields": fields}


def _person(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


def form_errors_json(form: Any) -> dict[str, Any]:
    fields = {name: list(errors) for name, errors in form.errors.items()}
    return {"error": "invalid", "message": "Check the fields listed", "fields": fields}


def _act(request: Request, reference: str, form_class: Any, action: Any) -> Response:
    """Validate with the page's form, run one service, answer with the referral."""
    referral = selectors.get_referral_for_user(request.user, reference)
    data = request.data if isinstance(request.data, dict) else {}
    form = form_class(data={k: _plain(v) for k, v in data.items()})
    if not form.is_valid():
        return Response(form_errors_json(form), status=status.HTTP_400_BAD_REQUEST)
    try:
        action(referral, form.cleaned_data)
    except ValidationError as exc:
        return Response({"error": "invalid", "message": "Check the fields listed", "fields": exc.message_dict},
                        status=status.HTTP_400_BAD_REQUEST)
    except triage.NotAllowedNow as exc:
        return Response({"error": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT)
    referral.refresh_from_db()
    return Response(referral_json(referral, viewer=request.user))


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | list) else ("" if value is None else str(value))


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


def referral_json(referral: Referral, *, viewer: Any) -> dict[str, Any]:
    who = referral.acknowledged_by
    selectors.with_parts(referral)
    escalations = selectors.escalations_for(referral)
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
        "assigned_to": (referral.assigned_to.get_full_name() or referral.assigned_to.get_username())
        if referral.assigned_to else None,
        "decision": (
            {"decision": referral.decision, "label": referral.get_decision_display(),
             "reasons": referral.decision_reasons, "next_steps": referral.next_steps,
             "next_steps_owner": referral.next_steps_owner, "decided_at": referral.decided_at,
             "decided_by": _person(referral.decided_by), "outcome_sent_at": referral.outcome_sent_at}
            if referral.decision else None
        ),
        "information_requests": [
            {"id": q.pk, "question": q.question, "asked_at": q.asked_at, "asked_by": _person(q.asked_by),
             "asked_of": q.asked_of,
             "due_by": q.due_by, "open": q.is_open, "answer": q.answer or None,
             "answered_at": q.answered_at, "answered_by": _person(q.answered_by)}
            for q in selectors.information_requests_for(referral, viewer=viewer)
        ],
        "challenges": [
            {"id": c.pk, "reasons": c.reasons, "raised_at": c.raised_at, "raised_by": _person(c.raised_by),
             "open": c.is_open, "with": c.with_whom if c.is_open else None,
             "step_one_due": c.step_one_due, "step_two_due": c.step_two_due,
             "outcome": c.outcome or None, "response": c.response or None, "responded_at": c.responded_at}
            for c in referral.challenges.select_related("raised_by")
        ],
        "escalation_level": referral.clock.escalation_level,
        "escalations": [
            {"rule": e.rule, "level": e.level, "to": e.level_label, "due_at": e.due_at,
             "escalated_at": e.escalated_at}
            for e in escalations
        ],
        "timeline": [
            {"at": event.at, "event": event.kind, "summary": event.summary}
            for event in selectors.timeline(referral, viewer=viewer, escalations=escalations)
        ],
    }


class ReferralCursor(CursorPagination):
    """Stable pages while new referrals arrive: newest first, 50 a page."""

    ordering = ("-received_at", "-id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


def list_item_json(referral: Referral) -> dict[str, Any]:
    """A line of the list: status and dates, no personal data (GET the
    referral itself for that, which is audited)."""
    return {
        "reference": referral.reference, "kind": referral.kind, "urgency": referral.urgency,
        "status": referral.status, "received_at": referral.received_at,
        "acknowledge_by": referral.acknowledge_by, "acknowledged_at": referral.acknowledged_at,
        "decide_by": referral.decide_by, "decided_at": referral.decided_at,
        "decision": referral.decision or None, "updated_at": referral.updated_at,
    }


def _parse_filter(query: Any, name: str, parse: Any) -> tuple[Any, str | None]:
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
    def get(self, request: Request) -> Response:
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
            return Response({"error": "invalid", "message": "Check the fields listed", "fields": errors},
                            status=status.HTTP_400_BAD_REQUEST)
        referrals = selectors.referrals_visible_to(request.user)
        if status_filter:
            referrals = referrals.filter(status=status_filter)
        tz = timezone.get_current_timezone()
        if after:
            referrals = referrals.filter(received_at__gte=dt.datetime.combine(after, dt.time.min, tzinfo=tz))
        if before:
            referrals = referrals.filter(
                received_at__lt=dt.datetime.combine(before + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            )
        if since:
            referrals = referrals.filter(updated_at__gte=since)
        paginator = ReferralCursor()
        page = paginator.paginate_queryset(referrals, request, view=self)
        record_event(actor=request.user, action=Action.LISTED, object_type="referral", via="api",
                     request=request._request, detail={"count": len(page or [])})
        return paginator.get_paginated_response([list_item_json(r) for r in page or []])

    @schema.submit
    def post(self, request: Request) -> Response:
        if get_access(request.user).sending_grant() is None:
            raise PermissionDenied("Only people at a partner agency can send referrals")
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
            return Response({"error": "invalid", "message": "Idempotency-Key must be 1 to 200 printable characters",
                             "fields": {"Idempotency-Key": ["Use a unique value per referral, like a UUID"]}},
                            status=status.HTTP_400_BAD_REQUEST)
        content, problems = validate_content(request.data)
        if content is None:
            return Response(problems_json(problems), status=status.HTTP_400_BAD_REQUEST)
        replayed = False
        if key is None:
            referral = submit_referral(sender=request.user, content=content, via="api", request=request._request)
        else:
            try:
                referral, created = submit_referral_once(
                    sender=request.user, content=content, idempotency_key=key,
                    fingerprint=fingerprint_of(request.data), request=request._request,
                )
            except IdempotencyConflict:
                return Response({"error": "idempotency_conflict",
                                 "message": "This Idempotency-Key was used with a different referral"},
                                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
            replayed = not created
        body = receipt_json(referral)
        body["warnings"] = [
            f"The concern uses '{word}': say what you saw or were told, and what you mean."
            for word in vague_words_in(referral.what_happened, referral.childs_experience)
        ]
        response = Response(body, status=status.HTTP_201_CREATED)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ReferralDetail(APIView):
    @schema.detail
    def get(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        record_event(actor=request.user, action=Action.VIEWED, object_type="referral",
                     object_ref=referral.reference, via="api", request=request._request)
        return Response(referral_json(referral, viewer=request.user))


class ReferralConvert(APIView):
    @schema.convert
    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        referral = convert_to_referral(
            referral=referral, actor=request.user, via="api", request=request._request
        )
        return Response(referral_json(referral, viewer=request.user))


class ReferralAcknowledge(APIView):
    @schema.acknowledge
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
                 "referral": referral_json(exc.referral, viewer=request.user)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(referral_json(referral, viewer=request.user))


class ReferralAssign(APIView):
    """{"assignee": "me" | <user id>}"""

    @schema.assign
    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        value = request.data.get("assignee") if isinstance(request.data, dict) else None
        assignee = request.user if value == "me" else triage.user_by_id(value)
        if assignee is None:
            return Response({"error": "invalid", "message": "Check the fields listed",
                             "fields": {"assignee": ["Choose who to assign it to"]}}, status=400)
        try:
            triage.assign_referral(referral=referral, actor=request.user, assignee=assignee,
                                   via="api", request=request._request)
        except ValidationError as exc:
            return Response({"error": "invalid", "message": "Check the fields listed",
                             "fields": exc.message_dict}, status=400)
        referral.refresh_from_db()
        return Response(referral_json(referral, viewer=request.user))


class ReferralRequestInformation(APIView):
    """{"question": "...", "to_agency": <agency id>} (leave out to_agency to ask the referrer)."""

    @schema.request_information
    def post(self, request: Request, reference: str) -> Response:
        referral = selectors.get_referral_for_user(request.user, reference)
        agencies = triage.partner_agencies(referral)

        def form_class(data: dict[str, Any]) -> InformationRequestForm:
            return InformationRequestForm(data=data, agencies=agencies)

        def action(r: Referral, d: dict[str, Any]) -> None:
            to_agency = next((a for a in agencies if str(a.pk) == d["to_agency"]), None)
            triage.request_information(referral=r, actor=request.user, question=d["question"],
                                       to_agency=to_agency, via="api", request=request._request)
        return _act(request, reference, form_class, action)


class QuestionsForAgency(APIView):
    """GET /api/v1/questions/: questions the front door asked your agency."""

    @schema.questions
    def get(self, request: Request) -> Response:
        return Response([question_json(q) for q in triage.questions_for(request.user)])


class AnswerQuestionForAgency(APIView):
    """POST /api/v1/questions/{id}/answer/ {"answer": "..."}"""

    @schema.answer_question
    def post(self, request: Request, question_id: int) -> Response:
        info = triage.get_question_for_user(request.user, question_id)
        data = request.data if isinstance(request.data, dict) else {}
        form = InformationAnswerForm(data={"answer": _plain(data.get("answer"))})
        if not form.is_valid():
            return Response(form_errors_json(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            triage.answer_information_request(info=info, actor=request.user, answer=form.cleaned_data["answer"],
                                              via="api", request=request._request)
        except triage.NotAllowedNow as exc:
            return Response({"error": "conflict", "message": str(exc)}, status=status.HTTP_409_CONFLICT)
        info.refresh_from_db()
        return Response(question_json(info))


def question_json(info: Any) -> dict[str, Any]:
    """What another agency may see: the question, and who it is about."""
    return {
        "id": info.pk,
        "reference": info.referral.reference,
        "about": [
            {"first_name": c.first_name, "last_name": c.last_name, "date_of_birth": c.date_of_birth,
             "expected_date_of_delivery": c.expected_date_of_delivery}
            for c in info.referral.children.all()
        ],
        "question": info.question,
        "asked_at": info.asked_at,
        "due_by": info.due_by,
        "open": info.is_open,
        "answer": info.answer or None,
        "answered_at": info.answered_at,
    }


class ReferralAnswerInformation(APIView):
    @schema.answer_information
    def post(self, request: Request, reference: str, request_id: int) -> Response:
        def action(referral: Referral, data: dict[str, Any]) -> None:
            info = referral.information_requests.filter(pk=request_id).first()
            if info is None:
                raise Http404("No such question")
            triage.answer_information_request(info=info, actor=request.user, answer=data["answer"],
                                              via="api", request=request._request)
        return _act(request, reference, InformationAnswerForm, action)


class ReferralDecide(APIView):
    @schema.decide
    def post(self, request: Request, reference: str) -> Response:
        return _act(request, reference, DecisionForm, lambda r, d: triage.decide_referral(
            referral=r, actor=request.user, decision=d["decision"], reasons=d["reasons"],
            next_steps=d["next_steps"], next_steps_owner=d["next_steps_owner"], via="api",
            request=request._request))


class ReferralChallenge(APIView):
    @schema.challenge
    def post(self, request: Request, reference: str) -> Response:
        return _act(request, reference, ChallengeForm, lambda r, d: triage.raise_challenge(
            referral=r, actor=request.user, reasons=d["reasons"], via="api", request=request._request))


class ReferralAnswerChallenge(APIView):
    @schema.answer_challenge
    def post(self, request: Request, reference: str, challenge_id: int) -> Response:
        def action(referral: Referral, data: dict[str, Any]) -> None:
            item = referral.challenges.filter(pk=challenge_id).first()
            if item is None:
                raise Http404("No such challenge")
            triage.answer_challenge(challenge=item, actor=request.user, outcome=data["outcome"],
                                    response=data["response"], via="api", request=request._request)
        return _act(request, reference, ChallengeAnswerForm, action)
