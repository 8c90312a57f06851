from __future__ import annotations

import logging

from celery import shared_task

from portal.services import beat
from referrals.escalations import escalate_overdue_referrals

logger = logging.getLogger(__name__)


@shared_task(name="referrals.tasks.sweep_overdue_referrals")
def sweep_overdue_referrals() -> int:
    """Escalate every referral whose deadline has passed. Safe to run twice at
    once and safe to run late: see referrals.escalations."""
    result = escalate_overdue_referrals()
    for item in result.escalated:
        logger.info("Escalated %s to level %s (%s)", item.reference, item.level, item.rule)
    if result.failed_steps:
        # A sweep that could not run every step is not a success: leave the
        # heartbeat alone so /healthz reports the sweep as stalled.
        logger.error("Escalation sweep incomplete; failed steps: %s", ", ".join(result.failed_steps))
    else:
        beat("escalation-sweep")
    return result.count
