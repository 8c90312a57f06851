from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from agencies import api as agency_api
from agencies import views as agency_views
from audit import views as audit_views
from portal import two_factor
from portal import views as portal_views
from privacy import views as privacy_views
from referrals import api as referral_api
from referrals import draft_views, report_views, triage_views
from referrals import views as referral_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("sign-in/", portal_views.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", two_factor.verify, name="two-factor-verify"),
    path("sign-in/set-up/", two_factor.set_up, name="two-factor-set-up"),
    path("sign-in/recovery-codes/", two_factor.recovery_codes, name="two-factor-codes"),
    path("sign-out/", portal_views.SignOutView.as_view(), name="sign-out"),
    path("account/", two_factor.account, name="account"),
    path("account/recovery-codes/", two_factor.regenerate_codes, name="account-new-codes"),
    path("session/keep-alive/", portal_views.keep_alive, name="session-keep-alive"),
    # Pages for senders
    path("referrals/new/", draft_views.start, name="referral-start"),
    path("referrals/drafts/<str:draft_id>/check/", draft_views.check, name="draft-check"),
    path("referrals/drafts/<str:draft_id>/delete/", draft_views.delete, name="draft-delete"),
    path("referrals/drafts/<str:draft_id>/<slug:page>/", draft_views.page, name="draft-page"),
    path("referrals/drafts/<str:draft_id>/<slug:page>/add/", draft_views.item, name="draft-item-add"),
    path("referrals/drafts/<str:draft_id>/<slug:page>/<int:index>/", draft_views.item, name="draft-item"),
    path(
        "referrals/drafts/<str:draft_id>/<slug:page>/<int:index>/remove/",
        draft_views.remove_item,
        name="draft-item-remove",
    ),
    path("referrals/", referral_views.sent_referrals, name="referral-sent"),
    path("referrals/<str:reference>/", referral_views.referral_detail, name="referral-detail"),
    path("referrals/<str:reference>/receipt/", referral_views.receipt, name="referral-receipt"),
    path(
        "referrals/<str:reference>/acknowledge/",
        referral_views.acknowledge,
        name="referral-acknowledge",
    ),
    path(
        "referrals/<str:reference>/convert/",
        referral_views.convert,
        name="referral-convert",
    ),
    path("referrals/<str:reference>/assign/", triage_views.assign, name="referral-assign"),
    path("referrals/<str:reference>/decide/", triage_views.decide, name="referral-decide"),
    path("referrals/<str:reference>/ask/", triage_views.ask, name="referral-ask"),
    path(
        "referrals/<str:reference>/questions/<int:request_id>/answer/",
        triage_views.answer,
        name="referral-answer",
    ),
    path("referrals/<str:reference>/challenge/", triage_views.challenge, name="referral-challenge"),
    path(
        "referrals/<str:reference>/challenges/<int:challenge_id>/answer/",
        triage_views.answer_challenge,
        name="referral-challenge-answer",
    ),
    path("referrals/<str:reference>/link/", triage_views.link, name="referral-link"),
    path("referrals/<str:reference>/who-viewed/", audit_views.referral_audit, name="referral-audit"),
    path("questions/", triage_views.agency_questions, name="agency-questions"),
    path("agency/status-messages/", agency_views.webhook_deliveries, name="agency-webhooks"),
    path("questions/<int:question_id>/", triage_views.answer_agency_question, name="agency-question-answer"),
    # Pages for the front door
    path("front-door/queue/", referral_views.front_door_queue, name="front-door-queue"),
    path("front-door/dashboard/", referral_views.manager_dashboard, name="manager-dashboard"),
    path("reports/partnership/", report_views.partnership, name="partnership-report"),
    path("front-door/subject-access/", privacy_views.subject_access, name="subject-access"),
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
    path(
        "api/v1/referrals/<str:reference>/convert/",
        referral_api.ReferralConvert.as_view(),
        name="api-referral-convert",
    ),
    path("api/v1/referrals/<str:reference>/assign/", referral_api.ReferralAssign.as_view(),
         name="api-referral-assign"),
    path("api/v1/referrals/<str:reference>/request-information/",
         referral_api.ReferralRequestInformation.as_view(), name="api-referral-request-information"),
    path("api/v1/referrals/<str:reference>/information-requests/<int:request_id>/answer/",
         referral_api.ReferralAnswerInformation.as_view(), name="api-referral-answer-information"),
    path("api/v1/referrals/<str:reference>/decide/", referral_api.ReferralDecide.as_view(),
         name="api-referral-decide"),
    path("api/v1/referrals/<str:reference>/challenge/", referral_api.ReferralChallenge.as_view(),
         name="api-referral-challenge"),
    path("api/v1/referrals/<str:reference>/challenges/<int:challenge_id>/answer/",
         referral_api.ReferralAnswerChallenge.as_view(), name="api-referral-answer-challenge"),
    path("api/v1/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    # Swagger UI sets inline styles; this page (the schema, no personal data)
    # is the only one allowed them. Its script is served as a file (split view).
    path("api/v1/docs/", csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny])
    ), name="api-docs"),
    path("api/v1/webhooks/", agency_api.WebhookList.as_view(), name="api-webhooks"),
    path("api/v1/webhooks/<int:webhook_id>/", agency_api.WebhookDetail.as_view(), name="api-webhook"),
    path("api/v1/questions/", referral_api.QuestionsForAgency.as_view(), name="api-questions"),
    path("api/v1/questions/<int:question_id>/answer/", referral_api.AnswerQuestionForAgency.as_view(),
         name="api-question-answer"),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"
