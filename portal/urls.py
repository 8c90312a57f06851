"""Every address of the portal: each app's own, and the shared ones."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from agencies import api as agency_api
from notifications import views as notification_views
from portal import views as portal_views
from privacy import views as privacy_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("help/", portal_views.help_page, name="help"),
    path("privacy/", portal_views.privacy_notice, name="privacy-notice"),
    path("accessibility/", portal_views.accessibility_statement, name="accessibility-statement"),
    path("", include("accounts.urls")),
    path("", include("referrals.web.urls")),
    path("agency/status-messages/", notification_views.webhook_deliveries, name="agency-webhooks"),
    path(
        "front-door/undelivered-messages/",
        notification_views.undelivered_messages,
        name="undelivered-messages",
    ),
    # GOV.UK Notify's delivery receipts (its callback; a bearer token, no session).
    path("notify/delivery-receipts", notification_views.notify_receipt, name="notify-receipts"),
    path("front-door/subject-access/", privacy_views.subject_access, name="subject-access"),
    # API
    path("api/v1/", include("referrals.api.urls")),
    path("api/v1/webhooks/", agency_api.WebhookList.as_view(), name="api-webhooks"),
    path(
        "api/v1/webhooks/<int:webhook_id>/", agency_api.WebhookDetail.as_view(), name="api-webhook"
    ),
    path(
        "api/v1/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny]),
        name="api-schema",
    ),
    # Swagger UI sets inline styles; this page (the schema, no personal data)
    # is the only one allowed them. Its script is served as a file (split view).
    path(
        "api/v1/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", permission_classes=[AllowAny]
            )
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"
