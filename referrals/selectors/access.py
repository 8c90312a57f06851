"""Who may see a referral, and what they may do with it: the one access path
for pages, the API, services and tasks.

Who sees what (one rule per line, in `referrals_visible_to`):
- a referrer sees the referrals they sent, while they still work for the
  agency they sent them for (a leaver, or someone who moved to another
  agency, does not);
- an agency safeguarding lead (or its record system) sees every referral
  their agency sent;
- front-door staff see every referral sent to their front door;
- nobody else sees any.

What they may do with one (one rule per line, in `permissions_for`); services
check the same object the pages and the API show their buttons from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import models as auth_models
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import (
    ACKNOWLEDGING_ROLES,
    AGENCY_READ_ROLES,
    FRONT_DOOR_ROLES,
    SENDING_ROLES,
    Role,
)
from agencies.selectors import Access, agencies_with_a_lead, get_access
from audit.models import Action
from audit.services import record_event
from referrals.models import Challenge, InformationRequest, Referral
from referrals.references import normalise_reference

# Whoever is asking: a signed-in person, or nobody (AnonymousUser).
User = auth_models.User | auth_models.AnonymousUser

# Who at a front door may link earlier history to a referral.
LINKING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER})
# Who answers a challenge at its first step; once escalated, senior managers only.
CHALLENGE_ANSWERING_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})


def referrals_visible_to(user: User, *, front_door_only: bool = False) -> QuerySet[Referral]:
    """Every referral the user may see.

    `front_door_only` keeps only the front-door rule, for the pages that list
    a front door's work (the queue, the dashboard): with the whole rule ("sent
    by me, or by my agency, or at my front door") and the page's own filters,
    PostgreSQL guessed a front door's open referrals at a tenth of what they
    are and planned the pages' queries for that."""
    access = get_access(user)
    front_doors = access.front_door_ids_with(FRONT_DOOR_ROLES)
    if front_door_only:
        return Referral.objects.filter(front_door_id__in=front_doors)
    if access.user_id is None:
        return Referral.objects.none()
    rule = sent_by(access)
    lead_agencies = access.agency_ids_with(AGENCY_READ_ROLES)
    if lead_agencies:
        rule |= Q(sending_agency_id__in=lead_agencies)
    if front_doors:
        rule |= Q(front_door_id__in=front_doors)
    return Referral.objects.filter(rule)


def sent_by(access: Access) -> Q:
    """Referrals this person sent for an agency they still work for."""
    return Q(sender_id=access.user_id, sending_agency_id__in=access.agency_ids_with(SENDING_ROLES))


def get_referral_for_user(user: User, reference: str) -> Referral:
    """The one way to look up a referral. Missing and not-yours are the same 404,
    so nobody can learn that a reference exists by guessing."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("No referral with that reference")
    try:
        return (
            referrals_visible_to(user)
            .select_related("sender", "sending_agency", "front_door", "acknowledged_by", "clock")
            .get(reference=canonical)
        )
    except Referral.DoesNotExist as exc:
        if Referral.objects.filter(reference=canonical).exists():
            # Someone tried a referral that is not theirs: the same 404 as a
            # missing one for them, a refusal in the audit for the front door.
            record_event(
                actor=user,
                action=Action.REFUSED,
                object_type="referral",
                object_ref=canonical,
                detail={"reason": "not visible to this person"},
            )
        raise Http404("No referral with that reference") from exc


@dataclass(frozen=True)
class ReferralPermissions:
    """What one person may do with one referral."""

    front_door_staff: bool  # sees all the front door sees: linked history, what other agencies said
    can_act: bool  # acknowledge, assign, ask, decide, convert a consultation
    can_link_history: bool
    can_answer_challenge: bool  # a challenge at its first step
    can_answer_escalated_challenge: bool  # a challenge the sweep took to senior managers
    referrer_side: bool  # the sender or their agency's lead: answer the front door, challenge
    administrator: bool  # who has viewed the referral

    def may_answer(self, challenge: Challenge) -> bool:
        if challenge.escalation_level >= 1:
            return self.can_answer_escalated_challenge
        return self.can_answer_challenge


def permissions_for(user: User, referral: Referral) -> ReferralPermissions:
    access = get_access(user)
    front_door = referral.front_door_id

    def holds(roles: frozenset[str]) -> bool:
        return front_door in access.front_door_ids_with(roles)

    return ReferralPermissions(
        front_door_staff=holds(FRONT_DOOR_ROLES),
        can_act=holds(ACKNOWLEDGING_ROLES),
        can_link_history=holds(LINKING_ROLES),
        can_answer_challenge=holds(CHALLENGE_ANSWERING_ROLES),
        can_answer_escalated_challenge=holds(frozenset({Role.SENIOR_MANAGER})),
        referrer_side=access.user_id is not None
        and (
            (
                access.user_id == referral.sender_id
                and referral.sending_agency_id in access.agency_ids_with(SENDING_ROLES)
            )
            or referral.sending_agency_id in access.agency_ids_with({Role.AGENCY_LEAD})
        ),
        administrator=holds(frozenset({Role.ADMINISTRATOR})),
    )


def require(allowed: bool, message: str) -> None:
    """Refuse the action (403) unless it is allowed."""
    if not allowed:
        raise PermissionDenied(message)


def may_act_at(user: User, front_door_id: int) -> bool:
    """Whether the user acts for this front door (practitioner or manager):
    who may be assigned a referral there."""
    return front_door_id in get_access(user).front_door_ids_with(ACKNOWLEDGING_ROLES)


def answering_agencies(user: User) -> frozenset[int]:
    """The agencies whose questions from the front door this person sees and
    answers: where they are the safeguarding lead, or where they send
    referrals and the agency has no lead (the people told of a question,
    referrals.selectors.people.agency_contacts). A question shows another
    agency's child, so not every referrer of a large agency sees it."""
    access = get_access(user)
    leads = access.agency_ids_with({Role.AGENCY_LEAD})
    others = access.agency_ids_with({Role.REFERRER}) - leads
    return leads | (others - agencies_with_a_lead(others))


def may_answer_for_agency(user: User, info: InformationRequest) -> bool:
    """A question put to another agency is answered by that agency's people."""
    return info.to_agency_id in answering_agencies(user)


def questions_for(user: User) -> list[InformationRequest]:
    """Questions the front door asked this person's agency (not as referrer):
    the only way another agency sees anything of a referral."""
    agencies = answering_agencies(user)
    return list(
        InformationRequest.objects.filter(to_agency_id__in=agencies)
        .select_related("referral", "to_agency", "asked_by", "answered_by")
        .prefetch_related("referral__children")
        .order_by("-is_open", "due_by")[:200]
    )


def get_question_for_user(user: User, question_id: object) -> InformationRequest:
    """One question addressed to the user's agency; 404 for anything else."""
    try:
        key = int(str(question_id))
    except ValueError as exc:
        raise Http404("No such question") from exc
    for info in questions_for(user):
        if info.pk == key:
            return info
    raise Http404("No such question")


def front_door_recording_for(user: User) -> int | None:
    """The front door this person records contacts for (a phone call, a
    letter, someone at the desk): where they are a practitioner or manager.
    None if they may not record contacts. Routing between front doors comes
    later; until then a contact lands at the recorder's own front door."""
    front_doors = get_access(user).front_door_ids_with(ACKNOWLEDGING_ROLES)
    return min(front_doors) if front_doors else None
