"""Documents through the API: the same form (and so the same virus scan and
checks), services and access rules as the pages.

GET  /api/v1/referrals/{reference}/documents/  the documents you may see on a referral
POST /api/v1/referrals/{reference}/documents/  multipart/form-data with one `file`; 201
GET  /api/v1/documents/{id}/                    the file, as a download (audited)

An answer to a question (…/information-requests/{id}/answer/ and
/questions/{id}/answer/) may be sent as multipart/form-data with a `file`
beside the `answer`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Action
from audit.services import Origin, record_event
from core.http import AuthenticatedRequest
from referrals.api.serializers import DocumentSerializer, ErrorSerializer
from referrals.forms.attachments import AttachmentForm
from referrals.selectors.access import (
    attachments_visible_to,
    get_attachment_for_user,
    get_referral_for_user,
    permissions_for,
    require,
)
from referrals.services.attachments import ATTACH_NOT_ALLOWED, attach_to_referral
from referrals.web.attachments import document_response

CHECK_FIELDS = "Check the fields listed"
ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}
UPLOAD = inline_serializer("DocumentUpload", {"file": serializers.FileField()})


def _origin(request: Request) -> Origin:
    return Origin.of(request._request, via="api")


class ReferralDocuments(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="The documents on a referral that you may see",
        responses={200: DocumentSerializer(many=True), **ERRORS},
    )
    def get(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        record_event(
            actor=request.user,
            action=Action.LISTED,
            object_type="referral",
            object_ref=referral.reference,
            origin=_origin(request),
            detail={"page": "documents"},
        )
        documents = attachments_visible_to(request.user, referral)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        summary="Add a document to a referral (referrer's side or front door)",
        description=(
            "multipart/form-data with one `file`: a PDF, JPG, PNG or HEIC image, or a Word, "
            "Excel, PowerPoint or OpenDocument file, judged by its content. It is scanned for "
            "viruses first: an infected file is a 400 and is not stored. If the scanner "
            'cannot be reached the document is stored with `virus_check` "waiting" and '
            "cannot be downloaded until it has passed."
        ),
        request={"multipart/form-data": UPLOAD},
        responses={201: DocumentSerializer, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest, reference: str) -> Response:
        referral = get_referral_for_user(request.user, reference)
        require(permissions_for(request.user, referral).can_attach, ATTACH_NOT_ALLOWED)
        form = AttachmentForm(
            data=request.data,
            files=request.FILES,
            actor=request.user,
            object_ref=referral.reference,
            origin=_origin(request),
        )
        if not form.is_valid() or form.received is None:
            fields = {name: list(errors) for name, errors in form.errors.items()}
            return Response(
                {"error": "invalid", "message": CHECK_FIELDS, "fields": fields},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            attachment = attach_to_referral(
                referral=referral,
                received=form.received,
                actor=request.user,
                origin=_origin(request),
            )
        except ValidationError as exc:
            return Response(
                {"error": "invalid", "message": CHECK_FIELDS, "fields": exc.message_dict},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(DocumentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class DocumentDownload(APIView):
    @extend_schema(
        summary="Download a document",
        description="The file itself, as an attachment; 404 for one you may not see "
        "or that has not passed its virus check.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request: AuthenticatedRequest, attachment_id: int) -> HttpResponseBase:
        attachment = get_attachment_for_user(request.user, attachment_id)
        if not attachment.document.may_be_opened:
            raise Http404("This document cannot be opened")
        record_event(
            actor=request.user,
            action=Action.VIEWED,
            object_type="referral" if attachment.referral else "draft",
            object_ref=attachment.referral.reference if attachment.referral else "",
            origin=_origin(request),
            detail={
                "page": "document",
                "document": attachment.pk,
                "file": attachment.document.name,
            },
        )
        return document_response(attachment)
