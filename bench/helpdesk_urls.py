"""URLs for the django-helpdesk comparison: ours plus helpdesk's (its emails link to its pages)."""

from __future__ import annotations

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    *portal_urlpatterns,
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
