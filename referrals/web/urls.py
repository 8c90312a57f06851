"""The referral pages, in plain-English paths."""

from __future__ import annotations

from django.urls import path

from referrals.web import audit, dashboard, drafts, lists, public, referral, reports, triage

urlpatterns = [
    # Anyone, without an account
    path("report-a-concern/", public.report_a_concern, name="report-a-concern"),
    # Sending a referral, a page at a time
    path("referrals/new/", drafts.start, name="referral-start"),
    # Recording a contact the front door received (a call, a letter, ...)
    path("contacts/new/", drafts.contact_start, name="contact-start"),
    path("referrals/drafts/<str:draft_id>/check/", drafts.check, name="draft-check"),
    path("referrals/drafts/<str:draft_id>/delete/", drafts.delete, name="draft-delete"),
    path("referrals/drafts/<str:draft_id>/<slug:page>/", drafts.page, name="draft-page"),
    path("referrals/drafts/<str:draft_id>/<slug:page>/add/", drafts.item, name="draft-item-add"),
    path(
        "referrals/drafts/<str:draft_id>/<slug:page>/<int:index>/", drafts.item, name="draft-item"
    ),
    path(
        "referrals/drafts/<str:draft_id>/<slug:page>/<int:index>/remove/",
        drafts.remove_item,
        name="draft-item-remove",
    ),
    # A referral and what is done with it
    path("referrals/", lists.sent_referrals, name="referral-sent"),
    path("referrals/<str:reference>/", referral.referral_detail, name="referral-detail"),
    path("referrals/<str:reference>/receipt/", referral.receipt, name="referral-receipt"),
    path(
        "referrals/<str:reference>/acknowledge/", referral.acknowledge, name="referral-acknowledge"
    ),
    path("referrals/<str:reference>/convert/", referral.convert, name="referral-convert"),
    path("referrals/<str:reference>/assign/", triage.assign, name="referral-assign"),
    path("referrals/<str:reference>/decide/", triage.decide, name="referral-decide"),
    path("referrals/<str:reference>/ask/", triage.ask, name="referral-ask"),
    path(
        "referrals/<str:reference>/questions/<int:request_id>/answer/",
        triage.answer,
        name="referral-answer",
    ),
    path("referrals/<str:reference>/challenge/", triage.challenge, name="referral-challenge"),
    path(
        "referrals/<str:reference>/challenges/<int:challenge_id>/answer/",
        triage.answer_challenge,
        name="referral-challenge-answer",
    ),
    path("referrals/<str:reference>/link/", triage.link, name="referral-link"),
    path("referrals/<str:reference>/who-viewed/", audit.referral_audit, name="referral-audit"),
    # Questions the front door put to an agency
    path("questions/", triage.agency_questions, name="agency-questions"),
    path(
        "questions/<int:question_id>/", triage.answer_agency_question, name="agency-question-answer"
    ),
    # The front door's own pages
    path("front-door/queue/", lists.front_door_queue, name="front-door-queue"),
    path("front-door/dashboard/", dashboard.manager_dashboard, name="manager-dashboard"),
    path("reports/partnership/", reports.partnership, name="partnership-report"),
]
