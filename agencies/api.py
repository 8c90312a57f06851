"""Agency systems register their own webhook endpoints.

GET    /api/v1/webhooks/        your agency's endpoints (never the secret)
POST   /api/v1/webhooks/        {"url": "https://...", "events": [...]}; 201 with the secret, once
DELETE /api/v1/webhooks/{id}/   stop sending there
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import AGENCY_READ_ROLES, Agency, Webhook, WebhookEvent
from agencies.selectors import get_access
from agencies.webhooks import check_url, register_webhook
from audit.models import Action
from audit.services import Origin, record_event

WebhookBody = inline_serializer(
    "WebhookBody",
    {
        "url": serializers.URLField(help_text="https:// address of your system's endpoint"),
        "events": serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices),
            required=False,
            help_text="Leave out for every event",
        ),
    },
)


class WebhookInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False, default=list
    )

    def validate_url(self, value: str) -> str:
        try:
            check_url(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["url"]) from exc
        return value


def _agency_id(request: Request) -> int:
    agencies = sorted(get_access(request.user).agency_ids_with(AGENCY_READ_ROLES))
    if not agencies:
        raise PermissionDenied(
            "Only an agency's system or safeguarding lead can manage its webhooks"
        )
    return agencies[0]


def _json(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.pk,
        "url": hook.url,
        "events": hook.events or list(WebhookEvent.values),
        "active": hook.is_active,
        "created_at": hook.created_at,
    }


class WebhookList(APIView):
    @extend_schema(summary="Your agency's webhook endpoints", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        hooks = Webhook.objects.filter(agency_id=_agency_id(request), is_active=True)
        return Response({"results": [_json(h) for h in hooks]})

    @extend_schema(
        summary="Register an endpoint; the signing secret is returned once",
        request=WebhookBody,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        agency_id = _agency_id(request)
        body: object = request.data  # typed as a dict, but whatever JSON was sent
        data = WebhookInput(data=body if isinstance(body, dict) else {})
        data.is_valid(raise_exception=True)
        try:
            hook = register_webhook(
                agency=Agency.objects.get(pk=agency_id),
                url=data.validated_data["url"],
                events=data.validated_data["events"],
                actor=request.user,
                origin=Origin.of(request._request, via="api"),
            )
        except ValidationError as exc:
            return Response(
                {
                    "error": "invalid",
                    "message": "Check the fields listed",
                    "fields": exc.message_dict,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({**_json(hook), "secret": hook.secret}, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    @extend_schema(summary="Stop sending to an endpoint", responses={204: None})
    def delete(self, request: Request, webhook_id: int) -> Response:
        changed = Webhook.objects.filter(
            pk=webhook_id, agency_id=_agency_id(request), is_active=True
        ).update(is_active=False)
        if not changed:
            raise Http404("No such webhook")
        record_event(
            actor=request.user,
            action=Action.WEBHOOK_REMOVED,
            object_type="webhook",
            object_ref=str(webhook_id),
            origin=Origin.of(request._request, via="api"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
