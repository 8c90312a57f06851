"""The front door's work on a referral, and what the referrer is owed back.

Assign, ask for more information, decide (the outcome goes to the referrer in
the same transaction), and resolving professional differences: a referrer
challenges a decision and a manager answers. Each service checks who may act,
changes state with a conditional update, and writes history, timeline, audit
and outbox rows in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import ACKNOWLEDGING_ROLES, Agency, Role, WebhookEvent
from agencies.selectors import get_access, members_with_role
from audit.models import Action
from audit.services import record_event
from notifications.models import Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from notifications.webhooks import webhook_notifications
from referrals import messages
from referrals.deadlines import compute_deadlines, rules_from_policy, working_days_from
from referrals.escalations import restart_decision_clock, stop_clocks
from referrals.models import (
    OPEN_STATUSES,
    Challenge,
    ChallengeOutcome,
    DeadlinePolicy,
    Decision,
    EventKind,
    InformationRequest,
    LinkStatus,
    Referral,
    ReferralEvent,
    ReferralLink,
    Status,
)
from referrals.reporting import is_re_referral

CHALLENGE_ANSWERING_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})


class NotAllowedNow(Exception):
    """The action does not fit the referral's state (e.g. already decided)."""


def _name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def check_front_door(actor: AbstractBaseUser, referral: Referral, roles: frozenset[str] = ACKNOWLEDGING_ROLES) -> None:
    if referral.front_door_id not in get_access(actor).front_door_ids_with(roles):
        raise PermissionDenied("Only front-door staff of this front door can do this")


def check_referrer_side(actor: AbstractBaseUser, referral: Referral) -> None:
    """The sender, or their agency's safeguarding lead."""
    access = get_access(actor)
    if actor.pk != referral.sender_id and referral.sending_agency_id not in access.agency_ids_with({Role.AGENCY_LEAD}):
        raise PermissionDenied("Only the referrer or their agency's safeguarding lead can do this")


def _rules(referral: Referral):  # noqa: ANN202 - a Rules
    return rules_from_policy(DeadlinePolicy.objects.filter(front_door_id=referral.front_door_id).first())


def _history(referral: Referral, actor: AbstractBaseUser | None, reason: str, now: dt.datetime) -> None:
    referral.refresh_from_db()
    Referral.history.bulk_history_create(
        [referral], update=True, default_user=actor, default_change_reason=reason[:100], default_date=now
    )


def _event(referral: Referral, kind: str, actor: AbstractBaseUser | None, summary: str, now: dt.datetime,
           *, front_door_only: bool = False) -> None:
    ReferralEvent.objects.create(referral=referral, kind=kind, at=now, actor=actor, summary=summary[:300],
                                 front_door_only=front_door_only)


def assign_referral(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    assignee: AbstractBaseUser,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Give a referral to a named worker (or take it yourself)."""
    check_front_door(actor, referral)
    if referral.front_door_id not in get_access(assignee).front_door_ids_with(ACKNOWLEDGING_ROLES):
        raise ValidationError({"assignee": "Choose a practitioner or manager of this front door"})
    now = now or timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(assigned_to=assignee, assigned_at=now, updated_at=now)
        _history(referral, actor, f"Assigned to {_name(assignee)}", now)
        taken = assignee.pk == actor.pk
        _event(referral, EventKind.ASSIGNED, actor,
               f"Taken by {_name(actor)}" if taken else f"Assigned to {_name(assignee)} by {_name(actor)}", now)
        record_event(actor=actor, action=Action.ASSIGNED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request,
                     detail={"assignee": assignee.get_username()})
        if not taken:
            queue_notifications(build_notifications(
                purpose=Purpose.ASSIGNED, recipients=recipients_for_users([assignee]),
                subject=messages.assigned_subject(referral), body=messages.assigned_body(referral),
                referral_id=referral.pk, now=now,
            ))
    return referral


def assignable_people(referral: Referral) -> list[AbstractBaseUser]:
    members = members_with_role(agency_id=referral.front_door_id, roles=ACKNOWLEDGING_ROLES)
    people = {m.user.pk: m.user for m in members}
    return sorted(people.values(), key=_name)


def partner_agencies(referral: Referral) -> list[Agency]:
    """Agencies that may be asked about a referral: the front door's partners."""
    return list(Agency.objects.filter(front_door_id=referral.front_door_id, is_active=True).order_by("name"))


def agency_contacts(agency_id: int) -> list[AbstractBaseUser]:
    """Who at an agency hears about a question: its safeguarding leads, or
    everyone who sends referrals for it if it has no lead."""
    leads = [m.user for m in members_with_role(agency_id=agency_id, roles=[Role.AGENCY_LEAD])]
    return leads or [m.user for m in members_with_role(agency_id=agency_id, roles=[Role.REFERRER])]


def request_information(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    question: str,
    to_agency: Agency | None = None,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> InformationRequest:
    """Ask the referrer (or another partner agency) for more, with a deadline
    on the working-day calendar."""
    check_front_door(actor, referral)
    if to_agency is not None and (to_agency.front_door_id != referral.front_door_id or not to_agency.is_active):
        raise ValidationError({"to_agency": "Choose a partner agency of this front door"})
    if referral.status not in OPEN_STATUSES:
        raise NotAllowedNow("The decision has been made: record further work in the case file")
    question = question.strip()
    if not question:
        raise ValidationError({"question": "Enter your question"})
    now = now or timezone.now()
    due_by = working_days_from(_rules(referral), now, _rules(referral).information_request_within_working_days)
    with transaction.atomic():
        info = InformationRequest.objects.create(
            referral=referral, asked_by=actor, question=question, asked_at=now, due_by=due_by,
            to_agency=to_agency,
        )
        _event(referral, EventKind.INFORMATION_REQUESTED, actor,
               f"{_name(actor)} asked {info.asked_of} for more information", now,
               front_door_only=to_agency is not None)
        record_event(actor=actor, action=Action.INFORMATION_REQUESTED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request,
                     detail={"to_agency": to_agency.name if to_agency else "referrer"})
        people = agency_contacts(to_agency.pk) if to_agency else [referral.sender]
        hooks = [] if to_agency else webhook_notifications(
            referral=referral, event=WebhookEvent.INFORMATION_REQUESTED, now=now
        )
        queue_notifications(build_notifications(
            purpose=Purpose.INFORMATION_REQUEST, recipients=recipients_for_users(people),
            subject=messages.information_request_subject(referral),
            body=messages.information_request_body(referral, due_by=due_by),
            referral_id=referral.pk, now=now,
        ) + hooks)
    return info


def answer_information_request(
    *,
    info: InformationRequest,
    actor: AbstractBaseUser,
    answer: str,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> InformationRequest:
    referral = info.referral
    if info.to_agency_id:
        if info.to_agency_id not in get_access(actor).agency_ids_with({Role.REFERRER, Role.AGENCY_LEAD}):
            raise PermissionDenied("Only the agency that was asked can answer")
    else:
        check_referrer_side(actor, referral)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Enter your answer"})
    now = now or timezone.now()
    with transaction.atomic():
        changed = InformationRequest.objects.filter(pk=info.pk, is_open=True).update(
            is_open=False, answer=answer, answered_by=actor, answered_at=now
        )
        if not changed:
            raise NotAllowedNow("This question has already been answered")
        info.refresh_from_db()
        InformationRequest.history.bulk_history_create([info], update=True, default_user=actor, default_date=now)
        where = f" ({info.to_agency.name})" if info.to_agency_id else ""
        _event(referral, EventKind.INFORMATION_GIVEN, actor,
               f"{_name(actor)}{where} answered the front door's question", now,
               front_door_only=bool(info.to_agency_id))
        record_event(actor=actor, action=Action.INFORMATION_GIVEN, object_type="referral",
                     object_ref=referral.reference, via=via, request=request)
        queue_notifications(build_notifications(
            purpose=Purpose.INFORMATION_GIVEN, recipients=recipients_for_users([info.asked_by]),
            subject=messages.information_given_subject(referral),
            body=messages.information_given_body(referral),
            referral_id=referral.pk, now=now,
        ))
    return info


def decide_referral(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    decision: str,
    reasons: str,
    next_steps: str,
    next_steps_owner: str,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Referral:
    """Record the decision with its reasons and tell the referrer the outcome.

    Working Together: feedback to the referrer on the decision and the
    reasons. The outcome goes through the outbox in the same transaction, so
    a decision without its outcome message cannot exist. Deciding a referral
    nobody acknowledged also acknowledges it.
    """
    check_front_door(actor, referral)
    if decision not in Decision.values:
        raise ValidationError({"decision": "Select a decision"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for the decision"})
    now = now or timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk, status=Status.SUBMITTED).update(
            status=Status.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
        )
        changed = Referral.objects.filter(pk=referral.pk, status=Status.ACKNOWLEDGED).update(
            status=Status.DECIDED, decision=decision, decision_reasons=reasons.strip(),
            next_steps=next_steps.strip(), next_steps_owner=next_steps_owner.strip(),
            decided_at=now, decided_by=actor, outcome_sent_at=now, updated_at=now,
        )
        if not changed:
            referral.refresh_from_db()
            raise NotAllowedNow(f"{referral.reference} has already been decided")
        stop_clocks(referral.pk, acknowledgement=True, decision=True)
        _history(referral, actor, f"Decided: {referral.get_decision_display() if referral.decision else decision}", now)
        _event(referral, EventKind.DECIDED, actor,
               f"{_name(actor)} decided: {Decision(decision).label}", now)
        _event(referral, EventKind.OUTCOME_SENT, None,
               "Outcome and reasons sent to the referrer", now)
        record_event(actor=actor, action=Action.DECIDED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request, detail={"decision": decision})
        queue_notifications(build_notifications(
            purpose=Purpose.OUTCOME, recipients=recipients_for_users([referral.sender]),
            subject=messages.outcome_subject(referral), body=messages.outcome_body(referral),
            referral_id=referral.pk, now=now,
        ) + webhook_notifications(referral=referral, event=WebhookEvent.DECIDED, now=now))
    return referral


def raise_challenge(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    reasons: str,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Challenge:
    """A referrer (or their agency's lead) challenges the decision. Step one
    is with the front-door managers; the sweep moves it to senior managers if
    they do not answer in time."""
    check_referrer_side(actor, referral)
    if referral.status != Status.DECIDED:
        raise NotAllowedNow("You can challenge a decision once it has been made")
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter why you disagree with the decision"})
    now = now or timezone.now()
    rules = _rules(referral)
    step_one = working_days_from(rules, now, rules.challenge_step_within_working_days)
    step_two = rules.calendar.close_of(
        rules.calendar.add_working_days(step_one.astimezone(rules.calendar.tz).date(),
                                        rules.challenge_step_within_working_days)
    ).astimezone(dt.UTC)
    with transaction.atomic():
        # One open challenge per referral: lock the referral while checking.
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        if Challenge.objects.filter(referral=referral, is_open=True).exists():
            raise NotAllowedNow("There is already an open challenge on this decision")
        challenge = Challenge.objects.create(
            referral=referral, raised_by=actor, reasons=reasons.strip(), raised_at=now,
            step_one_due=step_one, step_two_due=step_two,
        )
        _event(referral, EventKind.CHALLENGED, actor, f"{_name(actor)} challenged the decision", now)
        record_event(actor=actor, action=Action.CHALLENGED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request)
        managers = members_with_role(agency_id=referral.front_door_id, roles=[Role.MANAGER])
        queue_notifications(build_notifications(
            purpose=Purpose.CHALLENGE, recipients=recipients_for_users(m.user for m in managers),
            subject=messages.challenge_subject(referral),
            body=messages.challenge_body(referral, due_by=step_one),
            referral_id=referral.pk, now=now,
        ))
    return challenge


def answer_challenge(
    *,
    challenge: Challenge,
    actor: AbstractBaseUser,
    outcome: str,
    response: str,
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Challenge:
    """A front-door or senior manager answers. If the decision will change,
    the referral reopens for a new decision, due within one working day."""
    referral = challenge.referral
    roles = frozenset({Role.SENIOR_MANAGER}) if challenge.escalation_level >= 1 else CHALLENGE_ANSWERING_ROLES
    check_front_door(actor, referral, roles)
    if outcome not in ChallengeOutcome.values:
        raise ValidationError({"outcome": "Select whether the decision stands"})
    if not response.strip():
        raise ValidationError({"response": "Enter your answer to the challenge"})
    now = now or timezone.now()
    with transaction.atomic():
        changed = Challenge.objects.filter(pk=challenge.pk, is_open=True).update(
            is_open=False, outcome=outcome, response=response.strip(), responded_by=actor, responded_at=now
        )
        if not changed:
            raise NotAllowedNow("This challenge has already been answered")
        challenge.refresh_from_db()
        Challenge.history.bulk_history_create([challenge], update=True, default_user=actor, default_date=now)
        _event(referral, EventKind.CHALLENGE_ANSWERED, actor,
               f"{_name(actor)} answered the challenge: {ChallengeOutcome(outcome).label.lower()}", now)
        if outcome == ChallengeOutcome.CHANGED:
            deadlines = compute_deadlines(_rules(referral), received_at=now, urgent=False)
            reopened = Referral.objects.filter(pk=referral.pk, status=Status.DECIDED).update(
                status=Status.ACKNOWLEDGED, decide_by=deadlines.decide_by, updated_at=now,
            )
            if reopened:
                restart_decision_clock(referral.pk, deadlines)
            _history(referral, actor, "Reopened for a new decision after a challenge", now)
        record_event(actor=actor, action=Action.CHALLENGE_ANSWERED, object_type="referral",
                     object_ref=referral.reference, via=via, request=request, detail={"outcome": outcome})
        queue_notifications(build_notifications(
            purpose=Purpose.CHALLENGE_ANSWERED, recipients=recipients_for_users([challenge.raised_by]),
            subject=messages.challenge_answered_subject(referral),
            body=messages.challenge_answered_body(referral),
            referral_id=referral.pk, now=now,
        ))
    return challenge


def user_by_id(user_id: object) -> AbstractBaseUser | None:
    try:
        return get_user_model().objects.filter(pk=int(str(user_id)), is_active=True).first()
    except (TypeError, ValueError):
        return None


def record_link(
    *,
    referral: Referral,
    earlier: Referral,
    actor: AbstractBaseUser,
    confirmed: bool,
    reason: str = "",
    via: str = "web",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> ReferralLink:
    """Keep a worker's decision on a suggested earlier referral: the same
    child or household, or not. Confirmed links show beside the referral from
    then on; rejected ones are not suggested again."""
    check_front_door(actor, referral, frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER}))
    if earlier.front_door_id != referral.front_door_id or earlier.pk == referral.pk:
        raise PermissionDenied("Only earlier referrals to the same front door can be linked")
    now = now or timezone.now()
    status = LinkStatus.CONFIRMED if confirmed else LinkStatus.REJECTED
    with transaction.atomic():
        link, _ = ReferralLink.objects.update_or_create(
            referral=referral, earlier=earlier,
            defaults={"status": status, "reason": (reason or "Linked by a worker")[:200],
                      "decided_by": actor, "decided_at": now},
        )
        # The partnership figures count a referral linked to one from the 12
        # months before as a re-referral. Worked out again from all its links,
        # so a link confirmed and later rejected stops counting, and under a
        # lock on the referral, so two links recorded at the same moment
        # cannot overwrite each other's answer.
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        Referral.objects.filter(pk=referral.pk).update(is_re_referral=is_re_referral(referral))
        if confirmed:
            _event(referral, EventKind.HISTORY_LINKED, actor,
                   f"{_name(actor)} linked earlier {earlier.get_kind_display().lower()} {earlier.reference}", now,
                   front_door_only=True)
        record_event(actor=actor, action=Action.LINKED, object_type="referral", object_ref=referral.reference,
                     via=via, request=request, detail={"earlier": earlier.reference, "status": status})
    return link


def questions_for(user: AbstractBaseUser) -> list[InformationRequest]:
    """Questions the front door asked this person's agency (not as referrer):
    the only way another agency sees anything of a referral."""
    agencies = get_access(user).agency_ids_with({Role.REFERRER, Role.AGENCY_LEAD})
    return list(
        InformationRequest.objects.filter(to_agency_id__in=agencies)
        .select_related("referral", "to_agency", "asked_by", "answered_by")
        .prefetch_related("referral__children")
        .order_by("-is_open", "due_by")[:200]
    )


def get_question_for_user(user: AbstractBaseUser, question_id: object) -> InformationRequest:
    """One question addressed to the user's agency; 404 for anything else."""
    from django.http import Http404

    try:
        key = int(str(question_id))
    except ValueError as exc:
        raise Http404("No such question") from exc
    for info in questions_for(user):
        if info.pk == key:
            return info
    raise Http404("No such question")
