"""Referral models, by sub-domain; everything is importable from here."""

from referrals.models.attachments import Attachment  # noqa: F401
from referrals.models.choices import *  # noqa: F403
from referrals.models.choices import FATHER_FIGURES  # noqa: F401
from referrals.models.deadlines import DeadlinePolicy  # noqa: F401
from referrals.models.escalation import ESCALATION_LEVEL_LABELS, Escalation, ReferralClock  # noqa: F401
from referrals.models.idempotency import IdempotencyRecord  # noqa: F401
from referrals.models.oversight import (  # noqa: F401
    DecisionAudit,
    DecisionAuditItem,
    DecisionProposal,
    Finding,
    SignOff,
    SignOffPolicy,
)
from referrals.models.parts import Adult, Child, Draft, InvolvedAgency, PreviousArea  # noqa: F401
from referrals.models.police import PoliceNotice  # noqa: F401
from referrals.models.referral import EventKind, Referral, ReferralEvent  # noqa: F401
from referrals.models.strategy import StrategyDiscussion, StrategyParticipant  # noqa: F401
from referrals.models.transfer import Transfer  # noqa: F401
from referrals.models.triage import Challenge, InformationRequest, ReferralLink  # noqa: F401
