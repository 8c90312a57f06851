"""The escalation ladders as data: for each rule, who is told at each step,
and which deadline and level columns the sweep claims the step on.

Rules (each a ladder of steps): a referral not acknowledged, a referral not
decided, a request for information not answered, a challenge not resolved, a
transfer to a local authority off this deployment whose receipt nobody
confirmed, a proposed decision not signed off by a manager, the police not
acknowledging a referral they were told about, a strategy discussion or a
conference not held in time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from agencies.models import Role
from referrals.models import (
    Challenge,
    DecisionProposal,
    EscalationRule,
    InformationRequest,
    PoliceNotice,
    ReferralClock,
    StrategyDiscussion,
    Transfer,
)

# Who is told at a step: front-door people by role, and/or the referrer's side.
FRONT_DOOR_MANAGERS = (Role.MANAGER,)
SENIOR_MANAGERS = (Role.SENIOR_MANAGER,)


@dataclass(frozen=True)
class Step:
    rule: str
    level: int
    model: type[models.Model]
    due_column: str
    level_column: str
    open_column: str
    open_values: tuple[bool, ...]
    front_door_roles: tuple[str, ...] = ()
    tell_referrer: bool = False
    summary: str = ""
    # For rules about the referral itself: the column that tells one round
    # of the rule from the next (0 when a rule can only happen once).
    round_column: str = ""
    # Also tell the police force's supervisor inbox (PoliceNotice steps).
    tell_police_supervisor: bool = False

    @property
    def pk_column(self) -> str:
        return self.model._meta.pk.column

    @property
    def referral_column(self) -> str:
        return "referral_id"

    @property
    def is_about_referral(self) -> bool:
        """A rule about the referral itself (its clock), not one of its
        requests for information or challenges."""
        return self.model is ReferralClock


# Runs once, when the module is imported: before a mutation test run can switch
# a change on, so its mutants are left out (`make mutation`); the ladder is
# pinned by tests/referrals/escalation instead.
def _referral_steps(
    rule: str,
    due: str,
    senior_due: str,
    level_col: str,
    open_col: str,
    what: str,
    round_column: str = "",
) -> tuple[Step, ...]:  # pragma: no mutate block
    return (
        Step(
            rule,
            1,
            ReferralClock,
            due,
            level_col,
            open_col,
            (True,),
            FRONT_DOOR_MANAGERS,
            summary=f"{what}: escalated to front-door managers",
            round_column=round_column,
        ),
        Step(
            rule,
            2,
            ReferralClock,
            senior_due,
            level_col,
            open_col,
            (True,),
            SENIOR_MANAGERS,
            summary=f"{what}: escalated to senior managers",
            round_column=round_column,
        ),
    )


LADDER: tuple[Step, ...] = (
    *_referral_steps(
        EscalationRule.NOT_ACKNOWLEDGED,
        "acknowledge_by",
        "senior_escalation_at",
        "escalation_level",
        "acknowledge_open",
        "Not acknowledged in time",
        round_column="acknowledge_round",
    ),
    *_referral_steps(
        EscalationRule.NOT_DECIDED,
        "decide_by",
        "decision_senior_at",
        "decision_escalation_level",
        "decide_open",
        "No decision in time",
        round_column="decision_round",
    ),
    Step(
        EscalationRule.INFORMATION_UNANSWERED,
        1,
        InformationRequest,
        "due_by",
        "escalation_level",
        "is_open",
        (True,),
        FRONT_DOOR_MANAGERS,
        tell_referrer=True,
        summary="Request for more information not answered in time: referrer reminded, managers "
        "told",
    ),
    Step(
        EscalationRule.CHALLENGE_UNRESOLVED,
        1,
        Challenge,
        "step_one_due",
        "escalation_level",
        "is_open",
        (True,),
        SENIOR_MANAGERS,
        tell_referrer=True,
        summary="Challenge not answered by the front-door managers in time: now with senior "
        "managers",
    ),
    Step(
        EscalationRule.CHALLENGE_UNRESOLVED,
        2,
        Challenge,
        "step_two_due",
        "escalation_level",
        "is_open",
        (True,),
        SENIOR_MANAGERS + FRONT_DOOR_MANAGERS,
        tell_referrer=True,
        summary="Challenge still not answered by senior managers in time",
    ),
    # A referral sent to a local authority not on this deployment: the
    # sending front door must record that it arrived (Rapid Review A2: no
    # record of emailed referrals arriving).
    Step(
        EscalationRule.TRANSFER_UNCONFIRMED,
        1,
        Transfer,
        "confirm_by",
        "escalation_level",
        "awaiting_confirmation",
        (True,),
        FRONT_DOOR_MANAGERS,
        summary="Transfer to another local authority: receipt not confirmed in time, "
        "escalated to front-door managers",
    ),
    Step(
        EscalationRule.TRANSFER_UNCONFIRMED,
        2,
        Transfer,
        "confirm_senior_at",
        "escalation_level",
        "awaiting_confirmation",
        (True,),
        SENIOR_MANAGERS,
        summary="Transfer to another local authority: receipt still not confirmed, "
        "escalated to senior managers",
    ),
    # A proposed decision on a high-risk referral nobody signed off in time
    # (referrals.oversight): one step, straight to senior managers, since the
    # front-door managers were the ones who should have signed it off.
    Step(
        EscalationRule.SIGN_OFF_OVERDUE,
        1,
        DecisionProposal,
        "due_by",
        "escalation_level",
        "is_open",
        (True,),
        SENIOR_MANAGERS,
        summary="Proposed decision not signed off in time: escalated to senior managers",
    ),
    # Child BF: the police were told a day late. An officer who has not
    # acknowledged in time is chased once, through the force's own
    # supervisors and the front door's managers.
    Step(
        EscalationRule.POLICE_NOT_ACKNOWLEDGED,
        1,
        PoliceNotice,
        "acknowledge_by",
        "escalation_level",
        "acknowledge_open",
        (True,),
        FRONT_DOOR_MANAGERS,
        summary="Police did not acknowledge in time: escalated to the police supervisor inbox "
        "and front-door managers",
        tell_police_supervisor=True,
    ),
    # Child BF: a strategy discussion's deadline that nothing checked.
    Step(
        EscalationRule.STRATEGY_NOT_HELD,
        1,
        StrategyDiscussion,
        "due_by",
        "escalation_level",
        "is_open",
        (True,),
        FRONT_DOOR_MANAGERS + SENIOR_MANAGERS,
        summary="Strategy discussion not held in time: escalated to front-door and senior managers",
    ),
    Step(
        EscalationRule.CONFERENCE_NOT_HELD,
        1,
        StrategyDiscussion,
        "conference_due_by",
        "conference_escalation_level",
        "conference_open",
        (True,),
        FRONT_DOOR_MANAGERS + SENIOR_MANAGERS,
        summary="Initial child protection conference not held within 15 working days: "
        "escalated to front-door and senior managers",
    ),
)

# What each step did, in the words the referral's timeline uses.
STEP_SUMMARIES = {(step.rule, step.level): step.summary for step in LADDER}
