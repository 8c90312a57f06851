from __future__ import annotations

from celery import shared_task

from notifications.services import dispatch_due_notifications


@shared_task(name="notifications.tasks.dispatch_notifications")
def dispatch_notifications() -> dict[str, int]:
    """Deliver due outbox messages. Safe to run twice at once: claims are conditional."""
    result = dispatch_due_notifications()
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
