"""The escalation sweep: tell people about whatever nobody did in time.

Rules (each a ladder of steps): a referral not acknowledged, a referral not
decided, a request for information not answered, a challenge not resolved.
Each step is claimed with one set-based conditional UPDATE on the table the
deadline lives on:

    UPDATE t SET <level> = k
     WHERE id IN (SELECT id FROM t WHERE <open> AND <level> = k - 1
                    AND <due column> <= now
                    ORDER BY <due column> LIMIT batch [FOR UPDATE SKIP LOCKED])
       AND <open> AND <level> = k - 1
 RETURNING id, <referral id>

A row moves from level k-1 to k exactly once, whoever runs the sweep and
however many run at once: a second sweeper either skips the locked rows or,
after the first commits, no longer matches them. A sweep after downtime finds
everything that breached meanwhile, because the condition is "due <= now",
not "due in the last minute". The escalation rows, history, timeline events,
audit events and outbox rows are written in the same transaction as the claim.
A unique constraint on (referral, rule, subject, level) backs this up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from agencies.models import Role, WebhookEvent
from agencies.selectors import members_with_role
from audit.models import Action, AuditEvent
from notifications.models import Channel, DeliveryStatus, Notification, Purpose
from notifications.services import (
    Recipient,
    build_notifications,
    nudge_dispatcher,
    queue_notifications,
    recipients_for_users,
)
from notifications.webhooks import active_webhooks, webhook_notifications
from referrals import messages
from referrals.models import (
    Challenge,
    Escalation,
    EscalationRule,
    EventKind,
    InformationRequest,
    Referral,
    ReferralEvent,
    Status,
)

BATCH_SIZE = 1000
logger = logging.getLogger(__name__)

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
    open_values: tuple
    front_door_roles: tuple[str, ...] = ()
    tell_referrer: bool = False
    summary: str = ""
    # For rules about the referral itself: the column that tells one round
    # of the rule from the next (0 when a rule can only happen once).
    round_column: str = ""

    @property
    def referral_column(self) -> str:
        return "id" if self.model is Referral else "referral_id"


def _referral_steps(rule: str, due: str, senior_due: str, level_col: str, statuses: tuple, what: str,
                    round_column: str = "") -> tuple[Step, ...]:
    return (
        Step(rule, 1, Referral, due, level_col, "status", statuses, FRONT_DOOR_MANAGERS,
             summary=f"{what}: escalated to front-door managers", round_column=round_column),
        Step(rule, 2, Referral, senior_due, level_col, "status", statuses, SENIOR_MANAGERS,
             summary=f"{what}: escalated to senior managers", round_column=round_column),
    )


LADDER: tuple[Step, ...] = (
    *_referral_steps(EscalationRule.NOT_ACKNOWLEDGED, "acknowledge_by", "senior_escalation_at",
                     "escalation_level", (Status.SUBMITTED,), "Not acknowledged in time"),
    *_referral_steps(EscalationRule.NOT_DECIDED, "decide_by", "decision_senior_at",
                     "decision_escalation_level", (Status.SUBMITTED, Status.ACKNOWLEDGED),
                     "No decision in time", round_column="decision_round"),
    Step(EscalationRule.INFORMATION_UNANSWERED, 1, InformationRequest, "due_by", "escalation_level",
         "is_open", (True,), FRONT_DOOR_MANAGERS, tell_referrer=True,
         summary="Request for more information not answered in time: referrer reminded, managers told"),
    Step(EscalationRule.CHALLENGE_UNRESOLVED, 1, Challenge, "step_one_due", "escalation_level",
         "is_open", (True,), SENIOR_MANAGERS, tell_referrer=True,
         summary="Challenge not answered by the front-door managers in time: now with senior managers"),
    Step(EscalationRule.CHALLENGE_UNRESOLVED, 2, Challenge, "step_two_due", "escalation_level",
         "is_open", (True,), SENIOR_MANAGERS + FRONT_DOOR_MANAGERS, tell_referrer=True,
         summary="Challenge still not answered by senior managers in time"),
)

LEVEL_AUDIENCE = {1: "front-door managers", 2: "senior managers"}


@dataclass(frozen=True)
class Escalated:
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


def _claim_sql(step: Step) -> str:
    q = connection.ops.quote_name
    table = step.model._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    opens = ", ".join(["%s"] * len(step.open_values))
    condition = f"{q(step.open_column)} IN ({opens}) AND {q(step.level_column)} = %s"
    # Only our own table and column names are put into the text; every value
    # is a parameter.
    sql = (
        "UPDATE {table} SET {level} = %s WHERE id IN (SELECT id FROM {table} WHERE {condition} "
        "AND {due} <= %s ORDER BY {due} LIMIT %s{lock}) AND {condition} RETURNING id, {referral}"
    )
    if connection.vendor == "postgresql":
        # ARRAY(...) is worked out once, then the UPDATE finds the claimed rows
        # by primary key. With "id IN (SELECT ...)" PostgreSQL hash-joined the
        # batch against every breached row, once per batch: a catch-up of
        # 100,000 breaches read the partial index 200 times over.
        sql = sql.replace("WHERE id IN (SELECT id", "WHERE id = ANY(ARRAY(SELECT id").replace(
            "{lock}) AND", "{lock})) AND")
    return sql.format(
        table=table, level=q(step.level_column), condition=condition, due=q(step.due_column),
        lock=lock, referral=q(step.referral_column),
    )


def _claim_batch(step: Step, *, now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    # Raw SQL skips the ORM's value conversion: adapt `now` as the backend
    # stores datetimes (SQLite keeps naive UTC text and compares it as text).
    at = connection.ops.adapt_datetimefield_value(now)
    condition = [*step.open_values, step.level - 1]
    params = [step.level, *condition, at, limit, *condition]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(step), params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _recipients(step: Step, referrals: list[Referral], senders: dict[int, object],
                people: dict[tuple, list[Recipient]]) -> dict[int, list[Recipient]]:
    """Who to tell, per referral, in a number of queries that does not grow
    with the batch: one per front door and set of roles in the whole sweep
    (`people` keeps them between batches), one for the referrers' side."""
    by_front_door: dict[int, list[Recipient]] = {}
    for fd_id in {r.front_door_id for r in referrals}:
        key = (fd_id, step.front_door_roles)
        if key not in people:
            people[key] = recipients_for_users(
                m.user for m in members_with_role(agency_id=fd_id, roles=step.front_door_roles)
            ) if step.front_door_roles else []
        by_front_door[fd_id] = people[key]
    result: dict[int, list[Recipient]] = {}
    for r in referrals:
        people = list(by_front_door[r.front_door_id])
        if step.tell_referrer:
            people += recipients_for_users([senders[r.sender_id]])
        seen: set[str] = set()
        result[r.pk] = [p for p in people if not (p.address.lower() in seen or seen.add(p.address.lower()))]
    return result


def _typed(sql_type: str) -> str:
    """A parameter in a SELECT list: PostgreSQL would take an untyped one for
    text, so say its type; SQLite has no column types to match."""
    return f"CAST(%s AS {sql_type})" if connection.vendor == "postgresql" else "%s"


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


OUTBOX_COLUMNS = ("idempotency_key", "channel", "purpose", "referral_id", "recipient_id", "to_address",
                  "subject", "body", "status", "attempts", "next_attempt_at", "created_at", "last_error")


def _queue_emails(rows: list[tuple], *, now: dt.datetime) -> None:
    """Outbox rows (referral id, recipient, subject, body) for escalation emails.

    PostgreSQL: one COPY for the batch (a catch-up of 100,000 referrals writes
    hundreds of thousands of rows; building a model instance for each cost
    more than everything else in the sweep). Other databases: bulk_create.
    The dispatcher is nudged once the transaction commits, as for every
    outbox row.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = Notification._meta.db_table
        stamp = now.isoformat()
        keys = os.urandom(16 * len(rows)).hex()
        text, lines = {}, []
        for i, (referral_id, recipient, subject, body) in enumerate(rows):
            if body not in text:
                text[body] = _copy_text(body)
                text[subject] = _copy_text(subject)
            user = "\\N" if recipient.user_id is None else str(recipient.user_id)
            lines.append(f"{keys[32 * i:32 * i + 32]}\t{Channel.EMAIL.value}\t{Purpose.ESCALATION.value}\t"
                         f"{referral_id}\t{user}\t{_copy_text(recipient.address)}\t{text[subject]}\t"
                         f"{text[body]}\t{DeliveryStatus.PENDING.value}\t0\t{stamp}\t{stamp}\t")
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(OUTBOX_COLUMNS)}) FROM STDIN"
        ) as copy:
            copy.write("\n".join(lines) + "\n")
        transaction.on_commit(nudge_dispatcher, robust=True)
    else:
        queue_notifications([
            note
            for referral_id, recipient, subject, body in rows
            for note in build_notifications(purpose=Purpose.ESCALATION, recipients=[recipient], subject=subject,
                                            body=body, referral_id=referral_id, now=now)
        ])


def _record(step: Step, claimed: list[tuple[int, int]], *, now: dt.datetime,
            people: dict[tuple, list[Recipient]]) -> list[Escalated]:
    """Write what a claimed batch owes: escalation rows, history, timeline,
    audit and outbox, in the claim's transaction.

    1. Escalation, history, timeline and audit rows are copied from the
       claimed rows inside the database (INSERT ... SELECT): a fixed number
       of statements per batch and no Python object per row.
    2. The emails need wording and recipients: load the batch's referrals
       (only the columns the messages use) in one query, and the people to
       tell in one query per front door, then write the outbox rows at once.
    """
    q = connection.ops.quote_name
    table = step.model._meta.db_table
    is_referral_rule = step.model is Referral
    subject_ids = sorted(subject for subject, _ in claimed)
    if connection.vendor == "postgresql":
        # One array parameter: a thousand placeholders cost more to send than the rows.
        ids, id_params = "SELECT unnest(%s::bigint[])", [subject_ids]
    else:
        ids, id_params = ", ".join(["%s"] * len(subject_ids)), subject_ids
    at = connection.ops.adapt_datetimefield_value(now)
    stamp = _typed("timestamp with time zone")
    referral_col = q(step.referral_column)
    with connection.cursor() as cursor:
        subject_value = (q(step.round_column) if step.round_column else "0") if is_referral_rule else "id"
        cursor.execute(
            f"INSERT INTO {Escalation._meta.db_table} (referral_id, rule, subject_id, level, due_at, escalated_at) "  # noqa: S608 - table and column names from our models; # nosec B608
            f"SELECT {referral_col}, %s, {subject_value}, %s, {q(step.due_column)}, {stamp} "
            f"FROM {table} WHERE id IN ({ids})",
            [step.rule, step.level, at, *id_params],
        )
        # QuerySet.update() and raw SQL bypass django-simple-history: record
        # the change as it would ("~", with the reason, no user).
        history = step.model.history.model  # type: ignore[attr-defined]
        tracked = ", ".join(q(f.column) for f in history._meta.fields if not f.name.startswith("history_"))
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({tracked}, history_date, history_change_reason, history_type, "  # noqa: S608 - table and column names from our models; # nosec B608
            f"history_user_id) SELECT {tracked}, {stamp}, %s, %s, NULL FROM {table} WHERE id IN ({ids})",
            [at, step.summary[:100], "~", *id_params],
        )
        cursor.execute(
            f"INSERT INTO {ReferralEvent._meta.db_table} (referral_id, kind, {q('at')}, actor_id, summary, "  # noqa: S608 - table and column names from our models; # nosec B608
            f"front_door_only) SELECT {referral_col}, %s, {stamp}, NULL, %s, %s FROM {table} WHERE id IN ({ids})",
            [EventKind.ESCALATED, at, step.summary[:300], False, *id_params],
        )
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} ({q('at')}, actor_id, actor_label, action, object_type, "  # noqa: S608 - table and column names from our models; # nosec B608
            f"object_ref, via, ip_address, detail) SELECT {stamp}, NULL, '', %s, 'referral', r.reference, "
            f"'task', NULL, {_typed('jsonb')} FROM {table} s JOIN {Referral._meta.db_table} r "
            f"ON r.id = s.{referral_col} WHERE s.id IN ({ids})",
            [at, Action.ESCALATED, json.dumps({"rule": step.rule, "level": step.level}), *id_params],
        )

    message_fields = ("id", "reference", "kind", "urgency", "status", "front_door_id", "sending_agency_id",
                      "sender_id")
    if is_referral_rule:
        subjects = list(Referral.objects.filter(id__in=subject_ids).order_by(step.due_column, "id")
                        .only(*message_fields, step.due_column))
        referrals = {r.pk: r for r in subjects}
    else:
        extra = ["to_agency_id"] if step.model is InformationRequest else []
        subjects = list(step.model.objects.filter(id__in=subject_ids).order_by(step.due_column, "id")
                        .only("id", "referral_id", step.due_column, *extra))
        referrals = {r.pk: r for r in Referral.objects.filter(id__in={s.referral_id for s in subjects})
                     .only(*message_fields)}
    pairs = [(s, referrals[s.pk if is_referral_rule else s.referral_id]) for s in subjects]
    senders = {}
    if step.tell_referrer:
        from django.contrib.auth import get_user_model

        senders = {u.pk: u for u in get_user_model().objects.filter(pk__in={r.sender_id for r in referrals.values()})}
    recipients = _recipients(step, list(referrals.values()), senders, people)
    hooks = active_webhooks({r.sending_agency_id for _, r in pairs}) if is_referral_rule else {}
    agency_people: dict[int, list[Recipient]] = {}
    emails: list[tuple] = []
    webhooks = []
    for subject, r in pairs:
        people = recipients[r.pk]
        if step.model is InformationRequest and subject.to_agency_id:
            # A question to another agency reminds that agency, not the referrer.
            from referrals.triage import agency_contacts

            if subject.to_agency_id not in agency_people:
                agency_people[subject.to_agency_id] = recipients_for_users(agency_contacts(subject.to_agency_id))
            people = [p for p in people if p.user_id != r.sender_id] + agency_people[subject.to_agency_id]
        if people:
            subject_line = messages.escalation_subject(r, rule=step.rule, level=step.level)
            body = messages.escalation_body(r, rule=step.rule, level=step.level, summary=step.summary)
            emails += [(r.pk, person, subject_line, body) for person in people]
        if is_referral_rule and hooks[r.sending_agency_id]:
            webhooks += webhook_notifications(referral=r, event=WebhookEvent.ESCALATED, now=now,
                                              hooks=hooks[r.sending_agency_id])
    _queue_emails(emails, now=now)
    queue_notifications(webhooks)
    return [Escalated(reference=r.reference, rule=step.rule, level=step.level) for _, r in pairs]


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
    people: dict[tuple, list[Recipient]] = {}
    for step in LADDER:
        try:
            while True:
                with transaction.atomic():
                    claimed = _claim_batch(step, now=now, limit=batch_size)
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


def preview_overdue_referrals(*, as_of: dt.datetime) -> list[Escalated]:
    """What a sweep at `as_of` would escalate, changing nothing."""
    would: list[Escalated] = []
    for step in LADDER:
        earlier = [s for s in LADDER if s.rule == step.rule and s.level < step.level]
        rows = step.model.objects.filter(
            **{f"{step.open_column}__in": step.open_values,
               f"{step.level_column}__lt": step.level,
               f"{step.due_column}__lte": as_of}
        )
        for previous in earlier:
            rows = rows.filter(**{f"{previous.due_column}__lte": as_of})
        reference = "reference" if step.model is Referral else "referral__reference"
        for ref in rows.order_by(step.due_column).values_list(reference, flat=True):
            would.append(Escalated(reference=ref, rule=step.rule, level=step.level))
    return would
