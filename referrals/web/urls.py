"""The referral pages, in plain-English paths."""

from __future__ import annotations

from django.urls import path

from referrals.web import (
    attachments,
    audit,
    dashboard,
    drafts,
    lists,
    oversight,
    police,
    referral,
    reports,
    routing,
    search,
    strategy,
    transfer,
    triage,
)

urlpatterns = [
    # Sending a referral, a page at a time
    path("referrals/new/", drafts.start, name="referral-start"),
    path("referrals/drafts/<str:draft_id>/check/", drafts.check, name="draft-check"),
    path("referrals/drafts/<str:draft_id>/delete/", drafts.delete, name="draft-delete"),
    # Before the <slug:page> paths: "documents" is not a question page.
    path(
        "referrals/drafts/<str:draft_id>/documents/add/",
        attachments.add_draft_document,
        name="draft-document-add",
    ),
    path(
        "referrals/drafts/<str:draft_id>/front-door/",
        routing.choose_front_door,
        name="draft-front-door",
    ),
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
    path("referrals/<str:reference>/transfer/", transfer.transfer, name="referral-transfer"),
    path(
        "referrals/<str:reference>/transfers/<int:transfer_id>/confirm/",
        transfer.confirm,
        name="referral-transfer-confirm",
    ),
    path(
        "referrals/<str:reference>/challenges/<int:challenge_id>/answer/",
        triage.answer_challenge,
        name="referral-challenge-answer",
    ),
    path("referrals/<str:reference>/link/", triage.link, name="referral-link"),
    path(
        "referrals/<str:reference>/documents/add/",
        attachments.add_document,
        name="referral-document-add",
    ),
    path("documents/<int:attachment_id>/", attachments.download, name="document-download"),
    path(
        "referrals/<str:reference>/previous-areas/<int:area_id>/",
        triage.previous_area,
        name="referral-previous-area",
    ),
    path(
        "referrals/<str:reference>/proposed-decisions/<int:proposal_id>/sign-off/",
        oversight.sign_off,
        name="referral-sign-off",
    ),
    path(
        "referrals/<str:reference>/tell-police/", police.possible_crime, name="referral-tell-police"
    ),
    path("referrals/<str:reference>/who-viewed/", audit.referral_audit, name="referral-audit"),
    # Questions the front door put to an agency
    path("questions/", triage.agency_questions, name="agency-questions"),
    path(
        "questions/<int:question_id>/", triage.answer_agency_question, name="agency-question-answer"
    ),
    path(
        "referrals/<str:reference>/strategy-discussion/record/",
        strategy.record,
        name="strategy-record",
    ),
    path(
        "referrals/<str:reference>/strategy-discussion/conference/",
        strategy.conference,
        name="strategy-conference",
    ),
    path("strategy-discussions/", strategy.invited, name="strategy-discussions"),
    # The police's own pages
    path("police/referrals/", police.police_referrals, name="police-referrals"),
    path("police/referrals/<str:reference>/", police.police_referral, name="police-referral"),
    path(
        "police/referrals/<str:reference>/acknowledge/",
        police.police_acknowledge,
        name="police-acknowledge",
    ),
    # The front door's own pages
    path("front-door/queue/", lists.front_door_queue, name="front-door-queue"),
    path("front-door/search/", search.search_people, name="people-search"),
    path("front-door/dashboard/", dashboard.manager_dashboard, name="manager-dashboard"),
    path("front-door/decision-audits/", oversight.decision_audits, name="decision-audits"),
    path(
        "front-door/decision-audits/<int:audit_id>/",
        oversight.decision_audit,
        name="decision-audit",
    ),
    path(
        "front-door/decision-audits/<int:audit_id>/decisions/<int:item_id>/",
        oversight.audit_finding,
        name="decision-audit-finding",
    ),
    path(
        "front-door/decisions-to-check/",
        oversight.decisions_to_check,
        name="decisions-to-check",
    ),
    path("reports/partnership/", reports.partnership, name="partnership-report"),
]
