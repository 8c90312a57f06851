from __future__ import annotations

from django.contrib import admin
from django.urls import path

from portal import views as portal_views
from referrals import api as referral_api
from referrals import views as referral_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("sign-in/", portal_views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", portal_views.SignOutView.as_view(), name="sign-out"),
    # Pages for senders
    path("referrals/new/", referral_views.start_referral, name="referral-start"),
    path("referrals/", referral_views.sent_referrals, name="referral-sent"),
    path("referrals/<str:reference>/", referral_views.referral_detail, name="referral-detail"),
    path("referrals/<str:reference>/receipt/", referral_views.receipt, name="referral-receipt"),
    path(
        "referrals/<str:reference>/acknowledge/",
        referral_views.acknowledge,
        name="referral-acknowledge",
    ),
    # Pages for the front door
    path("front-door/queue/", referral_views.front_door_queue, name="front-door-queue"),
    path("front-door/dashboard/", referral_views.manager_dashboard, name="manager-dashboard"),
    # API
    path("api/v1/referrals/", referral_api.ReferralListCreate.as_view(), name="api-referrals"),
    path(
        "api/v1/referrals/<str:reference>/",
        referral_api.ReferralDetail.as_view(),
        name="api-referral-detail",
    ),
    path(
        "api/v1/referrals/<str:reference>/acknowledge/",
        referral_api.ReferralAcknowledge.as_view(),
        name="api-referral-acknowledge",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views.page_not_found"
handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"
