"""Who may see a referral, and what they may do with it: the one access path
for pages, the API, services and tasks.

Who sees what (one rule per line, in `referrals_visible_to`):
- a referrer sees the referrals they sent, while they still work for the
  agency they sent them for (a leaver, or someone who moved to another
  agency, does not);
- an agency safeguarding lead (or its record system) sees every referral
  their agency sent;
- front-door staff see every referral sent to their front door;
- a front door that transferred a referral to another front door still sees
  what it sent (the timeline up to the transfer), and can no longer act on it;
- nobody else sees any.

The police are apart (`police_referrals_for`): an officer of a public
protection unit sees, on the police's own pages, the referrals the police
were told about (an injured baby, a strategy discussion, a possible crime)
and only what a strategy discussion needs of them; never a referral's page,
its linked history, questions or challenges.

What they may do with one (one rule per line, in `permissions_for`); services
check the same object the pages and the API show their buttons from.

Which attached documents each sees (`attachments_visible_to`), and only once
ClamAV has passed them:
- front-door staff see every document on their front door's referrals;
- the referrer's side sees those on the referral and on its own answers, not
  what another agency sent in answer to the front door;
- an agency answering a question sees what was sent with that question's
  answer, and nothing else of the referral;
- a document on a draft is its author's alone until the draft is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import models as auth_models
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import (
    ACKNOWLEDGING_ROLES,
    AGENCY_READ_ROLES,
    FRONT_DOOR_ROLES,
    POLICE_ROLES,
    SENDING_ROLES,
    Role,
)
from agencies.selectors import Access, agencies_with_a_lead, get_access
from audit.models import Action
from audit.services import record_event
from referrals.models import (
    Attachment,
    Challenge,
    DecisionProposal,
    InformationRequest,
    PoliceNotice,
    Referral,
    Transfer,
)
from referrals.references import normalise_reference

# Whoever is asking: a signed-in person, or nobody (AnonymousUser).
User = auth_models.User | auth_models.AnonymousUser

# Who at a front door may link earlier history to a referral.
LINKING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.SENIOR_MANAGER})
# Who answers a challenge at its first step; once escalated, senior managers only.
CHALLENGE_ANSWERING_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})
# Who signs off (endorses or sends back) a decision proposed on a high-risk
# referral: the front door's managers, never the proposer (referrals.oversight).
SIGN_OFF_ROLES = frozenset({Role.MANAGER, Role.SENIOR_MANAGER})


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
        rule |= Q(pk__in=transferred_from(front_doors))
    return Referral.objects.filter(rule)


def transferred_from(front_doors: frozenset[int]) -> QuerySet[Transfer, int]:
    """The ids of referrals these front doors transferred to another front door."""
    return Transfer.objects.filter(
        from_front_door_id__in=front_doors, to_front_door__isnull=False
    ).values_list("referral_id", flat=True)


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
    can_sign_off: bool  # endorse or send back a proposed decision (not one's own)
    referrer_side: bool  # the sender or their agency's lead: answer the front door, challenge
    administrator: bool  # who has viewed the referral
    # Staff of a front door that transferred the referral away: they see what
    # they sent, the timeline up to this moment, and can do nothing with it.
    sent_away_at: dt.datetime | None = None

    @property
    def can_attach(self) -> bool:
        """Add a document to the referral itself (an answer's go with it)."""
        return self.referrer_side or self.front_door_staff

    def may_sign_off(self, proposal: DecisionProposal, user: User) -> bool:
        """A manager signs off a proposal, but not one they proposed: a
        decision about a high-risk child is seen by two people."""
        return self.can_sign_off and proposal.proposed_by_id != user.pk

    def may_answer(self, challenge: Challenge) -> bool:
        if challenge.escalation_level >= 1:
            return self.can_answer_escalated_challenge
        return self.can_answer_challenge


def permissions_for(user: User, referral: Referral) -> ReferralPermissions:
    access = get_access(user)
    front_door = referral.front_door_id

    def holds(roles: frozenset[str]) -> bool:
        return front_door in access.front_door_ids_with(roles)

    former = access.front_door_ids_with(FRONT_DOOR_ROLES)
    sent_away_at = (
        Transfer.objects.filter(
            referral_id=referral.pk, from_front_door_id__in=former, to_front_door__isnull=False
        )
        .order_by("-transferred_at")
        .values_list("transferred_at", flat=True)
        .first()
        if former and front_door not in former
        else None
    )
    return ReferralPermissions(
        front_door_staff=holds(FRONT_DOOR_ROLES),
        can_act=holds(ACKNOWLEDGING_ROLES),
        can_link_history=holds(LINKING_ROLES),
        can_answer_challenge=holds(CHALLENGE_ANSWERING_ROLES),
        can_answer_escalated_challenge=holds(frozenset({Role.SENIOR_MANAGER})),
        can_sign_off=holds(SIGN_OFF_ROLES),
        referrer_side=access.user_id is not None
        and (
            (
                access.user_id == referral.sender_id
                and referral.sending_agency_id in access.agency_ids_with(SENDING_ROLES)
            )
            or referral.sending_agency_id in access.agency_ids_with({Role.AGENCY_LEAD})
        ),
        administrator=holds(frozenset({Role.ADMINISTRATOR})),
        sent_away_at=sent_away_at,
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


def attachments_visible_to(user: User, referral: Referral) -> QuerySet[Attachment]:
    """The documents on a referral this person may see (scanned or not:
    only a clean one may be opened, see `get_attachment_for_user`)."""
    may = permissions_for(user, referral)
    attachments = Attachment.objects.filter(referral=referral).select_related(
        "document", "added_by", "information_request"
    )
    if may.front_door_staff:
        return attachments
    rule = Q(pk__in=[])
    if may.referrer_side:
        rule |= Q(front_door_only=False)
    answering = answering_agencies(user)
    if answering:
        rule |= Q(information_request__to_agency_id__in=answering)
    return attachments.filter(rule)


def attachments_of_question(user: User, info: InformationRequest) -> QuerySet[Attachment]:
    """What was sent with the answer to one question, for the agency asked."""
    if not may_answer_for_agency(user, info):
        return Attachment.objects.none()
    return info.attachments.select_related("document", "added_by")


def get_attachment_for_user(user: User, attachment_id: object) -> Attachment:
    """One attached document for someone who may see it. Missing, not yours
    and not a number are the same 404; trying a document on a referral you
    may not see is audited as a refusal against that referral."""
    try:
        key = int(str(attachment_id))
    except ValueError as exc:
        raise Http404("No such document") from exc
    attachment = (
        Attachment.objects.select_related("referral", "document", "information_request", "draft")
        .filter(pk=key)
        .first()
    )
    if attachment is not None and attachment.referral is None:
        # On a draft: its author's alone, like the draft.
        if attachment.draft is not None and attachment.draft.author_id == getattr(user, "pk", None):
            return attachment
        raise Http404("No such document")
    if attachment is not None and attachment.referral is not None:
        referral = attachment.referral
        may_see_referral = referrals_visible_to(user).filter(pk=referral.pk).exists()
        if (may_see_referral or _answers_for(user, attachment)) and (
            attachments_visible_to(user, referral).filter(pk=attachment.pk).exists()
        ):
            return attachment
        record_event(
            actor=user,
            action=Action.REFUSED,
            object_type="referral",
            object_ref=referral.reference,
            detail={"reason": "document not visible to this person", "attachment": attachment.pk},
        )
    raise Http404("No such document")


def _answers_for(user: User, attachment: Attachment) -> bool:
    info = attachment.information_request
    return info is not None and may_answer_for_agency(user, info)


def police_forces_of(user: User) -> frozenset[int]:
    """The police agencies (public protection units) the person is an officer of."""
    return get_access(user).agency_ids_with(POLICE_ROLES)


def police_notices_for(user: User) -> QuerySet[PoliceNotice]:
    """What the police were told about, for the officer's own forces: the
    one scoping path for the police's list, pages and API."""
    forces = police_forces_of(user)
    if not forces:
        return PoliceNotice.objects.none()
    return PoliceNotice.objects.filter(police_id__in=forces)


def get_police_notice_for_user(user: User, reference: str) -> PoliceNotice:
    """An officer's one way to a referral: by the notice their force was
    given. Missing, not told to the police, and told to another force are
    the same 404, and a refusal is audited like any other."""
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("No referral with that reference")
    try:
        return (
            police_notices_for(user)
            .select_related(
                "referral",
                "referral__sending_agency",
                "referral__front_door",
                "police",
                "acknowledged_by",
            )
            .get(referral__reference=canonical)
        )
    except PoliceNotice.DoesNotExist as exc:
        if Referral.objects.filter(reference=canonical).exists():
            record_event(
                actor=user,
                action=Action.REFUSED,
                object_type="referral",
                object_ref=canonical,
                detail={"reason": "not told to this person's police force"},
            )
        raise Http404("No referral with that reference") from exc


def may_acknowledge_for_police(user: User, notice: PoliceNotice) -> bool:
    """An officer of the force that was told."""
    return notice.police_id in police_forces_of(user)
