from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from django.conf import settings

from referrals.escalation.sweep import run_sweep

logger = logging.getLogger(__name__)


@shared_task(
    name="referrals.tasks.sweep_overdue_referrals",
    soft_time_limit=settings.SWEEP_TIME_LIMIT_SECONDS - 30,
    time_limit=settings.SWEEP_TIME_LIMIT_SECONDS,
)
def sweep_overdue_referrals() -> int:
    """Escalate every referral whose deadline has passed. Safe to run twice at
    once and safe to run late: see referrals.escalation."""
    result = run_sweep()
    # One line per rule and level, not per referral: a catch-up after an
    # outage escalates thousands at once (each is in its history and timeline).
    for (rule, level), count in sorted(
        Counter((i.rule, i.level) for i in result.escalated).items()
    ):
        logger.info("Escalated %s referral(s) to level %s (%s)", count, level, rule)
    for item in result.escalated:
        logger.debug("Escalated %s to level %s (%s)", item.reference, item.level, item.rule)
    if result.failed_steps:
        logger.error(
            "Escalation sweep incomplete; failed steps: %s", ", ".join(result.failed_steps)
        )
    return result.count
