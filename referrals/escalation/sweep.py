"""The escalation sweep: tell people about whatever nobody did in time.

Celery beat runs it every minute (referrals.tasks) and `manage.py
sweep_overdue` runs it by hand; both call `run_sweep`. For each step of each
ladder (referrals.escalation.ladder) it claims the breached rows with one
conditional UPDATE (referrals.escalation.claim), then, in the same
transaction, writes the history, the audit event and the outbox rows
(referrals.escalation.notices). Each step fires exactly once per row, with two
sweeps at once or after downtime.

The two ladders about the referral itself run on its ReferralClock
(referrals.escalation.clock). Managers get one email per sweep batch, step and
front door listing what was escalated, not one per referral; the referrer's
side is still told about each of theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import Action, AuditEvent
from core.heartbeat import beat
from notifications.services import queue_notifications
from referrals.escalation.claim import Breach, claim_batch, id_list, typed_parameter
from referrals.escalation.ladder import LADDER, Step
from referrals.escalation.notices import People, notices_for
from referrals.models import InformationRequest, PoliceNotice, Urgency

# Breaches claimed and written per transaction: a catch-up streams in batches
# of this size rather than loading everything at once.
BATCH_SIZE = 5000
# The heartbeat /healthz reads: when a sweep last ran every step.
HEARTBEAT = "escalation-sweep"
logger = logging.getLogger(__name__)


class Escalated(NamedTuple):
    """What a sweep escalated. A tuple: a catch-up makes a hundred thousand,
    and a frozen dataclass costs several times as much to make."""

    reference: str
    rule: str
    level: int


@dataclass
class SweepResult:
    escalated: list[Escalated] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.escalated)


def run_sweep() -> SweepResult:
    """Sweep now, and record the heartbeat only if every step ran: a sweep
    that could not run a step is not a success, so /healthz reports it as
    stalled until one is."""
    result = escalate_overdue_referrals()
    if not result.failed_steps:
        beat(HEARTBEAT)
    return result


def escalate_overdue_referrals(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> SweepResult:
    """Run every step of every ladder until nothing more is due.

    1. For each step in order (level 1 before level 2, so something that
       breached both during downtime is escalated to each level once):
    2. claim a batch with the conditional UPDATE and record it, in one
       transaction;
    3. repeat while a full batch came back (streams a large catch-up instead
       of loading every breach at once).
    """
    now = now or timezone.now()
    result = SweepResult()
    people: People = {}
    for step in LADDER:
        try:
            while True:
                with transaction.atomic():
                    claimed = claim_batch(step, now=now, limit=batch_size)
                    if claimed:
                        result.escalated += _record(step, claimed, now=now, people=people)
                if len(claimed) < batch_size:
                    break
        except DatabaseError:
            # One step's failure (its batch rolls back whole) must not stop
            # the other rules from escalating; /healthz shows a stalled sweep.
            logger.exception("Escalation step %s level %s failed", step.rule, step.level)
            result.failed_steps.append(f"{step.rule}:{step.level}")
    return result


def _record(
    step: Step, claimed: list[tuple[Any, ...]], *, now: dt.datetime, people: People
) -> list[Escalated]:
    """Write what a claimed batch owes besides its escalation rows (which
    `claim_batch` wrote, and the referral's timeline shows): history, audit
    and outbox, in the claim's transaction.

    1. History, for requests and challenges, whose own row the claim changed,
       copied inside the database (INSERT ... SELECT): a fixed number of
       statements per batch and no Python object per row.
    2. The emails, from the referral columns the claim brought: one summary
       per front door to the step's managers (`people` keeps who they are
       between batches), and, where the step tells the referrer's side, an
       email each about their own referral.
    3. One audit event for the batch.
    """
    subject_ids = sorted(row[0] for row in claimed)
    _copy_history(step, subject_ids, now=now)
    if step.is_about_referral:
        subjects: dict[Any, Any] = {}
    else:
        extra = {InformationRequest: ["to_agency_id"], PoliceNotice: ["police_id"]}.get(
            step.model, []
        )
        subjects = (
            step.model._default_manager.filter(id__in=subject_ids)
            .only("id", "referral_id", *extra)
            .in_bulk()
        )
    breaches = [Breach(subjects.get(row[0]), *row[1:]) for row in claimed]
    # Most urgent first in each summary, then by reference.
    breaches.sort(key=lambda b: (b.urgency != Urgency.URGENT, b.reference))
    queue_notifications(notices_for(step, breaches, people=people, now=now))
    escalated = [
        Escalated(reference=b.reference, rule=step.rule, level=step.level) for b in breaches
    ]
    # The escalation rows are each referral's record of the change (the
    # timeline shows them); the audit records the sweep's action once.
    AuditEvent.objects.create(
        at=now,
        actor=None,
        action=Action.ESCALATED,
        object_type="escalation_sweep",
        object_ref=f"{step.rule} level {step.level}"[:64],
        via="task",
        detail={
            "rule": step.rule,
            "level": step.level,
            "escalated": len(escalated),
            "references": [e.reference for e in escalated],
        },
    )
    return escalated


def _copy_history(step: Step, subject_ids: list[int], *, now: dt.datetime) -> None:
    """QuerySet.update() and raw SQL bypass django-simple-history: record the
    claimed rows' change as it would ("~", with the reason, no user). The
    referral's clock keeps no history: the escalation rows are its history,
    and the referral itself did not change."""
    history = getattr(step.model, "history", None)
    if history is None:
        return
    q = connection.ops.quote_name
    model = history.model
    ids, id_params = id_list(subject_ids)
    tracked = ", ".join(
        q(f.column) for f in model._meta.fields if not f.name.startswith("history_")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({tracked}, history_date, history_change_reason, "  # noqa: S608 - table and column names from our models; # nosec B608
            f"history_type, history_user_id) SELECT {tracked}, "
            f"{typed_parameter('timestamp with time zone')}, %s, %s, NULL "
            f"FROM {step.model._meta.db_table} WHERE {q(step.pk_column)} IN ({ids})",
            [connection.ops.adapt_datetimefield_value(now), step.summary[:100], "~", *id_params],
        )


def preview_overdue_referrals(*, as_of: dt.datetime) -> list[Escalated]:
    """What a sweep at `as_of` would escalate, changing nothing."""
    would: list[Escalated] = []
    for step in LADDER:
        earlier = [s for s in LADDER if s.rule == step.rule and s.level < step.level]
        rows = step.model._default_manager.filter(
            **{
                f"{step.open_column}__in": step.open_values,
                f"{step.level_column}__lt": step.level,
                f"{step.due_column}__lte": as_of,
            }
        )
        for previous in earlier:
            rows = rows.filter(**{f"{previous.due_column}__lte": as_of})
        for ref in rows.order_by(step.due_column).values_list("referral__reference", flat=True):
            would.append(Escalated(reference=ref, rule=step.rule, level=step.level))
    return would
