from __future__ import annotations

from django.urls import path

from referrals.api import views

urlpatterns = [
    path("referrals/", views.ReferralListCreate.as_view(), name="api-referrals"),
    path("referrals/<str:reference>/", views.ReferralDetail.as_view(), name="api-referral-detail"),
    path(
        "referrals/<str:reference>/acknowledge/",
        views.ReferralAcknowledge.as_view(),
        name="api-referral-acknowledge",
    ),
    path(
        "referrals/<str:reference>/convert/",
        views.ReferralConvert.as_view(),
        name="api-referral-convert",
    ),
    path(
        "referrals/<str:reference>/assign/",
        views.ReferralAssign.as_view(),
        name="api-referral-assign",
    ),
    path(
        "referrals/<str:reference>/request-information/",
        views.ReferralRequestInformation.as_view(),
        name="api-referral-request-information",
    ),
    path(
        "referrals/<str:reference>/information-requests/<int:request_id>/answer/",
        views.ReferralAnswerInformation.as_view(),
        name="api-referral-answer-information",
    ),
    path(
        "referrals/<str:reference>/decide/",
        views.ReferralDecide.as_view(),
        name="api-referral-decide",
    ),
    path(
        "referrals/<str:reference>/challenge/",
        views.ReferralChallenge.as_view(),
        name="api-referral-challenge",
    ),
    path(
        "referrals/<str:reference>/challenges/<int:challenge_id>/answer/",
        views.ReferralAnswerChallenge.as_view(),
        name="api-referral-answer-challenge",
    ),
    path("contacts/", views.ContactCreate.as_view(), name="api-contacts"),
    path("questions/", views.QuestionsForAgency.as_view(), name="api-questions"),
    path(
        "questions/<int:question_id>/answer/",
        views.AnswerQuestionForAgency.as_view(),
        name="api-question-answer",
    ),
]
