"""Which decisions need a manager's sign-off, and by when: the one place the
oversight rule lives (Plymouth: "a lack of vigorous management oversight";
bruises "deemed explainable").

A decision of no further action, advice or early help on a high-risk
referral is a proposal until a front-door manager other than the proposer
endorses it. High-risk, unless the front door's sign-off rules (SignOffPolicy,
in the admin) leave a criterion out: the injured-baby pathway, any child under
one, a pre-birth referral, a re-referral within 12 months, the police already
told, an urgent referral. Pure functions over plain facts, so they can be
tested exhaustively. When a sign-off is due: `referrals.deadlines.sign_off_due`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from referrals.models.choices import Decision

if TYPE_CHECKING:
    from referrals.models import Referral, SignOffPolicy

# Decisions that close the front door's involvement: the ones a lone
# practitioner must not make alone on a high-risk referral.
DECISIONS_NEEDING_SIGN_OFF = frozenset(
    {Decision.NO_FURTHER_ACTION, Decision.ADVICE, Decision.EARLY_HELP}
)


@dataclass(frozen=True)
class SignOffRules:
    """A front door's sign-off rules (every criterion on by default)."""

    injured_baby: bool = True
    under_one: bool = True
    pre_birth: bool = True
    re_referral: bool = True
    police_told: bool = True
    urgent: bool = True
    within_working: dt.timedelta = dt.timedelta(hours=2)
    urgent_within: dt.timedelta = dt.timedelta(hours=1)


@dataclass(frozen=True)
class RiskFacts:
    """What the rule reads of a referral."""

    injured_baby: bool
    youngest_birth_date: dt.date | None
    pre_birth: bool
    re_referral: bool
    police_told: bool
    urgent: bool


def sign_off_rules(policy: SignOffPolicy | None) -> SignOffRules:
    if policy is None:
        return SignOffRules()
    return SignOffRules(
        injured_baby=policy.injured_baby,
        under_one=policy.under_one,
        pre_birth=policy.pre_birth,
        re_referral=policy.re_referral,
        police_told=policy.police_told,
        urgent=policy.urgent,
        within_working=dt.timedelta(minutes=policy.sign_off_within_working_minutes),
        urgent_within=dt.timedelta(minutes=policy.urgent_sign_off_within_minutes),
    )


def first_birthday(born: dt.date) -> dt.date:
    """The day a child turns one (29 February babies: 1 March)."""
    try:
        return born.replace(year=born.year + 1)
    except ValueError:
        return dt.date(born.year + 1, 3, 1)


def high_risk_reasons(facts: RiskFacts, rules: SignOffRules, *, today: dt.date) -> tuple[str, ...]:
    """Why the referral is high-risk under these rules, in plain words; empty
    when it is not."""
    born = facts.youngest_birth_date
    checks = (
        (rules.injured_baby and facts.injured_baby, "injury to a non-mobile baby"),
        (
            rules.under_one and born is not None and today < first_birthday(born),
            "a child under one",
        ),
        (rules.pre_birth and facts.pre_birth, "pre-birth"),
        (rules.re_referral and facts.re_referral, "a re-referral within 12 months"),
        (rules.police_told and facts.police_told, "the police have been told"),
        (rules.urgent and facts.urgent, "urgent"),
    )
    return tuple(reason for applies, reason in checks if applies)


def needs_sign_off(decision: str, reasons: Iterable[str]) -> bool:
    """A decision needs a manager's sign-off when it closes the front door's
    involvement on a high-risk referral."""
    return decision in DECISIONS_NEEDING_SIGN_OFF and any(True for _ in reasons)


def risk_facts(referral: Referral) -> RiskFacts:
    """The facts the rule reads, from a referral and its (prefetched) children."""
    births = [c.date_of_birth for c in referral.children.all() if c.date_of_birth]
    return RiskFacts(
        injured_baby=referral.non_mobile_injury,
        youngest_birth_date=max(births) if births else None,
        pre_birth=referral.is_pre_birth,
        re_referral=referral.is_re_referral,
        police_told=referral.police_notified_at is not None,
        urgent=referral.urgency == "urgent",
    )
