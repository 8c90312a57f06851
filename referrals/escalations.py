"""The escalation sweep: tell managers about referrals nobody acknowledged in time.

Each step of the ladder is claimed with one set-based conditional UPDATE:

    UPDATE referral SET escalation_level = k
     WHERE id IN (SELECT id ... WHERE status = 'submitted'
                    AND escalation_level = k - 1 AND <due column> <= now
                    ORDER BY <due column> LIMIT batch [FOR UPDATE SKIP LOCKED])
       AND status = 'submitted' AND escalation_level = k - 1
 RETURNING id

A row moves from level k-1 to k exactly once, whoever runs the sweep and
however many run at once: a second sweeper either skips the locked rows or,
after the first commits, no longer matches them. A sweep after downtime finds
everything that breached meanwhile, because the condition is "due <= now",
not "due in the last minute". The escalation rows, history, timeline events,
audit events and outbox rows are written in the same transaction as the claim.
A unique constraint on (referral, rule, level) backs this up in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import members_with_role
from audit.models import Action, AuditEvent
from notifications.models import Purpose
from notifications.services import build_notifications, queue_notifications, recipients_for_users
from referrals import messages
from referrals.models import (
    ESCALATION_LEVEL_LABELS,
    Escalation,
    EscalationRule,
    EventKind,
    Referral,
    ReferralEvent,
    Status,
)

BATCH_SIZE = 500


@dataclass(frozen=True)
class Step:
    rule: str
    level: int
    due_column: str
    open_status: str
    recipient_roles: tuple[str, ...]


# The ladder for "not acknowledged". Later rules (decision, challenge) add steps
# of the same shape.
LADDER: tuple[Step, ...] = (
    Step(
        rule=EscalationRule.NOT_ACKNOWLEDGED,
        level=1,
        due_column="acknowledge_by",
        open_status=Status.SUBMITTED,
        recipient_roles=(Role.MANAGER,),
    ),
    Step(
        rule=EscalationRule.NOT_ACKNOWLEDGED,
        level=2,
        due_column="senior_escalation_at",
        open_status=Status.SUBMITTED,
        recipient_roles=(Role.SENIOR_MANAGER,),
    ),
)


@dataclass(frozen=True)
class Escalated:
    reference: str
    rule: str
    level: int


@dataclass
class SweepResult:
    escalated: list[Escalated] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.escalated)


def _claim_sql(step: Step) -> str:
    table = Referral._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    due = connection.ops.quote_name(step.due_column)
    # Only our own table and column names are interpolated; every value is a
    # parameter.
    sql = (
        "UPDATE {table} SET escalation_level = %s, updated_at = %s "
        "WHERE id IN (SELECT id FROM {table} WHERE status = %s AND escalation_level = %s "
        "AND {due} <= %s ORDER BY {due} LIMIT %s{lock}) "
        "AND status = %s AND escalation_level = %s RETURNING id"
    )
    return sql.format(table=table, due=due, lock=lock)


def _claim_batch(step: Step, *, now: dt.datetime, limit: int) -> list[int]:
    # Raw SQL skips the ORM's value conversion: adapt `now` as the backend
    # stores datetimes (SQLite keeps naive UTC text and compares it as text).
    at = connection.ops.adapt_datetimefield_value(now)
    params = [
        step.level, at,
        step.open_status, step.level - 1, at, limit,
        step.open_status, step.level - 1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(step), params)
        return [row[0] for row in cursor.fetchall()]


def _record(step: Step, ids: list[int], *, now: dt.datetime) -> list[Escalated]:
    referrals = list(Referral.objects.filter(id__in=ids).order_by(step.due_column, "id"))
    label = ESCALATION_LEVEL_LABELS.get(step.level, f"level {step.level}")
    Escalation.objects.bulk_create(
        Escalation(
            referral=r,
            rule=step.rule,
            level=step.level,
            due_at=getattr(r, step.due_column),
            escalated_at=now,
        )
        for r in referrals
    )
    Referral.history.bulk_history_create(
        referrals,
        update=True,
        default_change_reason=f"Escalated to {label.lower()}",
        default_date=now,
    )
    ReferralEvent.objects.bulk_create(
        ReferralEvent(
            referral=r,
            kind=EventKind.ESCALATED,
            at=now,
            summary=f"Not acknowledged in time: escalated to {label.lower()}",
        )
        for r in referrals
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            action=Action.ESCALATED,
            object_type="referral",
            object_ref=r.reference,
            via="task",
            detail={"rule": step.rule, "level": step.level},
        )
        for r in referrals
    )
    # One query for the recipients of every front door in the batch.
    by_front_door: dict[int, list] = defaultdict(list)
    front_door_ids = {r.front_door_id for r in referrals}
    for fd_id in front_door_ids:
        by_front_door[fd_id] = recipients_for_users(
            m.user for m in members_with_role(agency_id=fd_id, roles=step.recipient_roles)
        )
    outbox = []
    for r in referrals:
        outbox += build_notifications(
            purpose=Purpose.ESCALATION,
            recipients=by_front_door[r.front_door_id],
            subject=messages.escalation_subject(r, level=step.level),
            body=messages.escalation_body(r, level=step.level),
            referral_id=r.pk,
            now=now,
        )
    queue_notifications(outbox)
    return [Escalated(reference=r.reference, rule=step.rule, level=step.level) for r in referrals]


def escalate_overdue_referrals(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> SweepResult:
    """Run every step of the ladder until nothing more is due.

    1. For each step in order (level 1 before level 2, so a referral that
       breached both during downtime is escalated to each level once):
    2. claim a batch with the conditional UPDATE and record it, in one
       transaction;
    3. repeat while a full batch came back (streams a large catch-up instead
       of loading every breached referral at once).
    """
    now = now or timezone.now()
    result = SweepResult()
    for step in LADDER:
        while True:
            with transaction.atomic():
                ids = _claim_batch(step, now=now, limit=batch_size)
                if ids:
                    result.escalated += _record(step, ids, now=now)
            if len(ids) < batch_size:
                break
    return result


def preview_overdue_referrals(*, as_of: dt.datetime) -> list[Escalated]:
    """What a sweep at `as_of` would escalate, changing nothing."""
    would: list[Escalated] = []
    for step in LADDER:
        earlier_levels = [s for s in LADDER if s.rule == step.rule and s.level < step.level]
        candidates = Referral.objects.filter(status=step.open_status)
        # A referral climbs one level per step in a sweep, so at `as_of` it
        # reaches this level if it is due here and has not passed it already.
        candidates = candidates.filter(
            **{f"{step.due_column}__lte": as_of}, escalation_level__lt=step.level
        )
        for earlier in earlier_levels:
            candidates = candidates.filter(**{f"{earlier.due_column}__lte": as_of})
        for reference in candidates.order_by(step.due_column).values_list("reference", flat=True):
            would.append(Escalated(reference=reference, rule=step.rule, level=step.level))
    return would
