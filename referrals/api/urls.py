from __future__ import annotations

from django.urls import path

from referrals.api import documents, police, views

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
        "referrals/<str:reference>/proposed-decisions/<int:proposal_id>/sign-off/",
        views.ReferralSignOff.as_view(),
        name="api-referral-sign-off",
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
    path(
        "referrals/<str:reference>/documents/",
        documents.ReferralDocuments.as_view(),
        name="api-referral-documents",
    ),
    path(
        "documents/<int:attachment_id>/",
        documents.DocumentDownload.as_view(),
        name="api-document-download",
    ),
    path(
        "referrals/<str:reference>/transfer/",
        views.ReferralTransfer.as_view(),
        name="api-referral-transfer",
    ),
    path(
        "referrals/<str:reference>/transfers/<int:transfer_id>/confirm/",
        views.ReferralConfirmTransfer.as_view(),
        name="api-referral-confirm-transfer",
    ),
    path(
        "referrals/<str:reference>/previous-areas/<int:area_id>/check/",
        views.PreviousAreaCheck.as_view(),
        name="api-referral-previous-area-check",
    ),
    path("people/", views.PeopleSearch.as_view(), name="api-people"),
    path(
        "referrals/<str:reference>/tell-police/",
        police.TellPolice.as_view(),
        name="api-referral-tell-police",
    ),
    path(
        "referrals/<str:reference>/strategy-discussion/",
        police.RecordStrategyDiscussion.as_view(),
        name="api-referral-strategy-discussion",
    ),
    path("police/referrals/", police.PoliceReferralList.as_view(), name="api-police-referrals"),
    path(
        "police/referrals/<str:reference>/",
        police.PoliceReferralDetail.as_view(),
        name="api-police-referral",
    ),
    path(
        "police/referrals/<str:reference>/acknowledge/",
        police.PoliceAcknowledge.as_view(),
        name="api-police-acknowledge",
    ),
    path("questions/", views.QuestionsForAgency.as_view(), name="api-questions"),
    path(
        "questions/<int:question_id>/answer/",
        views.AnswerQuestionForAgency.as_view(),
        name="api-question-answer",
    ),
]
