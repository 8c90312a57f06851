"""A referral's deadlines and where it stands on its two escalation ladders.

The deadlines are worked out by `referrals.deadlines` and written here only:
on the referral (what the receipt promised, what the pages, the queue and the
partnership figures read) and on its ReferralClock (the narrow row the sweep
claims escalations on), always together, in the transaction of the service
that submits, acknowledges, decides or reopens the referral.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from referrals.deadlines import Deadlines
from referrals.models import Referral, ReferralClock


def deadline_fields(deadlines: Deadlines) -> dict[str, Any]:
    """The deadline columns of a new referral row."""
    return {"acknowledge_by": deadlines.acknowledge_by, "decide_by": deadlines.decide_by}


def start_clocks(referral: Referral, deadlines: Deadlines) -> ReferralClock:
    """Both ladders of a new referral (made with `deadline_fields`), in the
    transaction that submits it."""
    return ReferralClock.objects.create(
        referral=referral,
        acknowledge_by=deadlines.acknowledge_by,
        senior_escalation_at=deadlines.senior_escalation_at,
        decide_by=deadlines.decide_by,
        decision_senior_at=deadlines.decision_senior_at,
    )


def stop_clocks(referral_id: int, *, acknowledgement: bool = False, decision: bool = False) -> None:
    """The referral was acknowledged (and decided): nothing more to escalate
    on that ladder. Called in the transaction that changed the referral."""
    stopped = {"acknowledge_open": False} if acknowledgement else {}
    if decision:
        stopped["decide_open"] = False
    if stopped:
        ReferralClock.objects.filter(pk=referral_id).update(**stopped)


def restart_decision_clock(referral_id: int, deadlines: Deadlines) -> None:
    """A challenge reopened the decision: the referral's new decision
    deadline, and a new round of "no decision in time" from level 0."""
    Referral.objects.filter(pk=referral_id).update(decide_by=deadlines.decide_by)
    ReferralClock.objects.filter(pk=referral_id).update(
        decide_open=True,
        decide_by=deadlines.decide_by,
        decision_senior_at=deadlines.decision_senior_at,
        decision_escalation_level=0,
        decision_round=F("decision_round") + 1,
    )
