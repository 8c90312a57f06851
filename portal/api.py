"""API conventions shared by every endpoint: errors are JSON, never a 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No referral with that reference")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do this")
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.PermissionDenied) and context.get("request") is not None:
        from audit.services import record_refusal

        record_refusal(context["request"]._request)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": "invalid",
            "message": "Check the fields listed",
            "fields": response.data,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(
            exc, "default_code", "error"
        )
        response.data = {"error": code, "message": str(response.data["detail"])}
    return response
