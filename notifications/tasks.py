"""The dispatch tasks: one per channel, each on its own queue, so a slow mail
relay and a slow agency endpoint cannot hold up each other, or the escalation
sweep (CELERY_TASK_ROUTES in the settings)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.dispatch import dispatch_due_notifications
from notifications.models import Channel


def _dispatch(channel: str, task: object) -> dict[str, int]:
    """Deliver for a while; if messages are still due when the time budget is
    spent, queue the task again at once rather than wait for the next beat,
    so a backlog drains at the receiver's pace."""
    result = dispatch_due_notifications(
        channel=channel, budget_seconds=settings.DISPATCH_TASK_SECONDS
    )
    if result.more_due:
        task.apply_async()  # type: ignore[attr-defined]
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}


# A dispatch stops taking new messages after its budget; the one in hand has
# its own deadline. The limits are for a task stuck in something else.
SOFT_LIMIT = settings.DISPATCH_TASK_SECONDS + settings.NOTIFICATION_DELIVERY_DEADLINE_SECONDS + 15
HARD_LIMIT = SOFT_LIMIT + 30


@shared_task(
    name="notifications.tasks.dispatch_email", soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT
)
def dispatch_email() -> dict[str, int]:
    """Deliver due emails. Safe to run twice at once: claims are conditional."""
    return _dispatch(Channel.EMAIL, dispatch_email)


@shared_task(
    name="notifications.tasks.dispatch_webhooks", soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT
)
def dispatch_webhooks() -> dict[str, int]:
    """Deliver due webhook messages to agencies' systems."""
    return _dispatch(Channel.WEBHOOK, dispatch_webhooks)


@shared_task(
    name="notifications.tasks.dispatch_sms", soft_time_limit=SOFT_LIMIT, time_limit=HARD_LIMIT
)
def dispatch_sms() -> dict[str, int]:
    """Deliver due text messages (through GOV.UK Notify)."""
    return _dispatch(Channel.SMS, dispatch_sms)
