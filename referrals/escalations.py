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
not "due in the last minute". The escalation rows (which the referral's
timeline shows), an audit event for the batch and the outbox rows are
written in the same transaction as the claim.
A unique constraint on (referral, rule, subject, level) backs this up.

The two ladders about the referral itself run on its ReferralClock, a narrow
row the services here start, stop and restart in the transactions that
submit, acknowledge, decide and reopen the referral. Managers get one email
per sweep batch, step and front door listing what was escalated, not one per
referral; the referrer's side is still told about each of theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Role, WebhookEvent
from agencies.selectors import members_with_role
from audit.models import Action, AuditEvent
from notifications.models import Notification, Purpose
from notifications.services import (
    Recipient,
    build_notifications,
    queue_notifications,
    recipients_for_users,
)
from notifications.webhooks import active_webhooks, webhook_notifications
from referrals import messages
from referrals.deadlines import Deadlines
from referrals.models import (
    Challenge,
    Escalation,
    EscalationRule,
    InformationRequest,
    Referral,
    ReferralClock,
    Urgency,
)

# Breaches claimed and written per transaction: a catch-up streams in batches
# of this size rather than loading everything at once.
BATCH_SIZE = 5000
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
    def pk_column(self) -> str:
        return self.model._meta.pk.column

    @property
    def referral_column(self) -> str:
        return "referral_id"

    @property
    def is_about_referral(self) -> bool:
        """A rule about the referral itself (its clock), not one of its
        requests for information or challenges."""
        return self.model is ReferralClock


def _referral_steps(rule: str, due: str, senior_due: str, level_col: str, open_col: str, what: str,
                    round_column: str = "") -> tuple[Step, ...]:
    return (
        Step(rule, 1, ReferralClock, due, level_col, open_col, (True,), FRONT_DOOR_MANAGERS,
             summary=f"{what}: escalated to front-door managers", round_column=round_column),
        Step(rule, 2, ReferralClock, senior_due, level_col, open_col, (True,), SENIOR_MANAGERS,
             summary=f"{what}: escalated to senior managers", round_column=round_column),
    )


LADDER: tuple[Step, ...] = (
    *_referral_steps(EscalationRule.NOT_ACKNOWLEDGED, "acknowledge_by", "senior_escalation_at",
                     "escalation_level", "acknowledge_open", "Not acknowledged in time"),
    *_referral_steps(EscalationRule.NOT_DECIDED, "decide_by", "decision_senior_at",
                     "decision_escalation_level", "decide_open", "No decision in time",
                     round_column="decision_round"),
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
# What each step did, in the words the referral's timeline uses.
STEP_SUMMARIES = {(step.rule, step.level): step.summary for step in LADDER}


def start_clocks(referral: Referral, deadlines: Deadlines) -> ReferralClock:
    """Both ladders of a new referral, in the transaction that submits it."""
    return ReferralClock.objects.create(
        referral=referral, acknowledge_by=deadlines.acknowledge_by, senior_escalation_at=deadlines.senior_escalation_at,
        decide_by=deadlines.decide_by, decision_senior_at=deadlines.decision_senior_at,
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
    """A challenge reopened the decision: a new round of "no decision in
    time", from level 0, on the new deadlines."""
    ReferralClock.objects.filter(pk=referral_id).update(
        decide_open=True, decide_by=deadlines.decide_by, decision_senior_at=deadlines.decision_senior_at,
        decision_escalation_level=0, decision_round=F("decision_round") + 1,
    )


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


def _claim_sql(step: Step, returning: str = "{pk}, {referral}") -> str:
    """The claim's UPDATE; `returning` is its RETURNING list, in which {pk}
    and {referral} name the claimed row's key and its referral."""
    q = connection.ops.quote_name
    table = step.model._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    opens = ", ".join(["%s"] * len(step.open_values))
    condition = f"{q(step.open_column)} IN ({opens}) AND {q(step.level_column)} = %s"
    # Only our own table and column names are put into the text; every value
    # is a parameter.
    sql = (  # noqa: S608 - table and column names from our models; # nosec B608
        "UPDATE {table} SET {level} = %s WHERE {pk} IN (SELECT {pk} FROM {table} WHERE {condition} "
        "AND {due} <= %s ORDER BY {due} LIMIT %s{lock}) AND {condition} RETURNING "
    ) + returning
    if connection.vendor == "postgresql":
        # ARRAY(...) is worked out once, then the UPDATE finds the claimed rows
        # by primary key. With "id IN (SELECT ...)" PostgreSQL hash-joined the
        # batch against every breached row, once per batch: a catch-up of
        # 100,000 breaches read the partial index 200 times over.
        sql = sql.replace("WHERE {pk} IN (SELECT {pk}", "WHERE {pk} = ANY(ARRAY(SELECT {pk}").replace(
            "{lock}) AND", "{lock})) AND")
    return sql.format(
        table=table, level=q(step.level_column), condition=condition, due=q(step.due_column),
        lock=lock, referral=q(step.referral_column), pk=q(step.pk_column),
    )


def _claim_batch(step: Step, *, now: dt.datetime, limit: int) -> list[tuple]:
    """Claim a batch of breaches and write their escalation rows. Returns, for
    each claimed row, its primary key followed by the referral's columns the
    emails use (`_Breach` after `subject`).

    PostgreSQL does it in one statement: the claim's RETURNING feeds the
    escalation rows (INSERT ... SELECT in the same WITH) and is joined to the
    referrals. Other databases: the claim, then the escalation rows copied
    from the claimed rows, then the referrals, one statement each."""
    q = connection.ops.quote_name
    # Raw SQL skips the ORM's value conversion: adapt `now` as the backend
    # stores datetimes (SQLite keeps naive UTC text and compares it as text).
    at = connection.ops.adapt_datetimefield_value(now)
    condition = [*step.open_values, step.level - 1]
    claim_params = [step.level, *condition, at, limit, *condition]
    # What tells one escalation under the rule from another: the round of a
    # rule about the referral itself, or the request or challenge.
    subject_value = (q(step.round_column) if step.round_column else "0") if step.is_about_referral \
        else q(step.pk_column)
    escalation_columns = "referral_id, rule, subject_id, level, due_at, escalated_at"
    referral_columns = ", ".join(f"r.{q(name)}" for name in _Breach._fields[1:])
    if connection.vendor == "postgresql":
        claim = _claim_sql(step, returning=(
            f"{{pk}} AS subject_pk, {{referral}} AS claimed_referral_id, {subject_value} AS subject_value, "
            f"{q(step.due_column)} AS due_at"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH claimed AS ({claim}), recorded AS (INSERT INTO {Escalation._meta.db_table} "  # noqa: S608 - table and column names from our models; # nosec B608
                f"({escalation_columns}) SELECT claimed_referral_id, %s, subject_value, %s, due_at, "
                f"{_typed('timestamp with time zone')} FROM claimed) "
                f"SELECT subject_pk, {referral_columns} FROM claimed "
                f"JOIN {Referral._meta.db_table} r ON r.id = claimed_referral_id",
                [*claim_params, step.rule, step.level, at],
            )
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(step), claim_params)
        claimed = cursor.fetchall()
        if not claimed:
            return []
        ids, id_params = _id_list([pk for pk, _ in claimed])
        cursor.execute(
            f"INSERT INTO {Escalation._meta.db_table} ({escalation_columns}) "  # noqa: S608 - table and column names from our models; # nosec B608
            f"SELECT {q(step.referral_column)}, %s, {subject_value}, %s, {q(step.due_column)}, %s "
            f"FROM {step.model._meta.db_table} WHERE {q(step.pk_column)} IN ({ids})",
            [step.rule, step.level, at, *id_params],
        )
        ids, id_params = _id_list(sorted({referral_id for _, referral_id in claimed}))
        cursor.execute(
            f"SELECT {referral_columns} FROM {Referral._meta.db_table} r WHERE r.id IN ({ids})",  # noqa: S608 - table and column names from our models; # nosec B608
            id_params,
        )
        rows = {row[0]: row for row in cursor.fetchall()}
    return [(pk, *rows[referral_id]) for pk, referral_id in claimed]


def _id_list(ids: list[int]) -> tuple[str, list]:
    """What goes in "id IN (...)" for a batch of ids, and its parameters.
    PostgreSQL: one array parameter (thousands of placeholders cost more to
    parse and send than the rows). Other databases: a placeholder each."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [ids]
    return ", ".join(["%s"] * len(ids)), list(ids)


def _typed(sql_type: str) -> str:
    """A parameter in a SELECT list: PostgreSQL would take an untyped one for
    text, so say its type; SQLite has no column types to match."""
    return f"CAST(%s AS {sql_type})" if connection.vendor == "postgresql" else "%s"


def _record(step: Step, claimed: list[tuple], *, now: dt.datetime,
            people: dict[tuple, list[Recipient]]) -> list[Escalated]:
    """Write what a claimed batch owes besides its escalation rows (which
    `_claim_batch` wrote, and the referral's timeline shows): history, audit
    and outbox, in the claim's transaction.

    1. History, for requests and challenges, whose own row the claim changed,
       copied inside the database (INSERT ... SELECT): a fixed number of
       statements per batch and no Python object per row.
    2. The emails, from the referral columns the claim brought: one summary
       per front door to the step's managers (`people` keeps who they are
       between batches), and, where the step tells the referrer's side, an
       email each about their own referral.
    """
    q = connection.ops.quote_name
    table = step.model._meta.db_table
    subject_ids = sorted(row[0] for row in claimed)
    history = getattr(step.model, "history", None)
    if history is not None:
        # QuerySet.update() and raw SQL bypass django-simple-history:
        # record the change as it would ("~", with the reason, no user).
        # (The referral's clock keeps no history: the escalation rows are
        # its history, and the referral itself did not change.)
        history = history.model
        ids, id_params = _id_list(subject_ids)
        tracked = ", ".join(q(f.column) for f in history._meta.fields if not f.name.startswith("history_"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {history._meta.db_table} ({tracked}, history_date, history_change_reason, "  # noqa: S608 - table and column names from our models; # nosec B608
                f"history_type, history_user_id) SELECT {tracked}, {_typed('timestamp with time zone')}, %s, %s, "
                f"NULL FROM {table} WHERE {q(step.pk_column)} IN ({ids})",
                [connection.ops.adapt_datetimefield_value(now), step.summary[:100], "~", *id_params],
            )
    if step.is_about_referral:
        subjects: dict[int, object] = {}
    else:
        extra = ["to_agency_id"] if step.model is InformationRequest else []
        subjects = step.model.objects.filter(id__in=subject_ids).only("id", "referral_id", *extra).in_bulk()
    breaches = [_Breach(subjects.get(row[0]), *row[1:]) for row in claimed]
    # Most urgent first in each summary, then by reference.
    breaches.sort(key=lambda b: (b.urgency != Urgency.URGENT, b.reference))
    outbox = _summaries(step, breaches, people=people, now=now)
    if step.tell_referrer:
        outbox += _referrer_side_reminders(step, breaches, now=now)
    if step.is_about_referral:
        hooks = active_webhooks({b.sending_agency_id for b in breaches})
        for b in breaches:
            if hooks[b.sending_agency_id]:
                outbox += webhook_notifications(referral=b.as_referral(), event=WebhookEvent.ESCALATED, now=now,
                                                hooks=hooks[b.sending_agency_id])
    queue_notifications(outbox)
    escalated = [Escalated(reference=b.reference, rule=step.rule, level=step.level) for b in breaches]
    # The escalation rows are each referral's record of the change (the
    # timeline shows them); the audit records the sweep's action once.
    AuditEvent.objects.create(
        at=now, actor=None, action=Action.ESCALATED, object_type="escalation_sweep",
        object_ref=f"{step.rule} level {step.level}"[:64], via="task",
        detail={"rule": step.rule, "level": step.level, "escalated": len(escalated),
                "references": [e.reference for e in escalated]},
    )
    return escalated


class _Breach(NamedTuple):
    """One escalated item, with the referral columns the emails use."""

    subject: Any  # the request or challenge that was overdue; None for the referral's own clock
    id: int
    reference: str
    kind: str
    urgency: str
    status: str
    front_door_id: int
    sending_agency_id: int
    sender_id: int

    def as_referral(self) -> Referral:
        """An unsaved stand-in carrying just those columns, for the wording."""
        return Referral(id=self.id, reference=self.reference, kind=self.kind, urgency=self.urgency,
                        status=self.status, front_door_id=self.front_door_id,
                        sending_agency_id=self.sending_agency_id, sender_id=self.sender_id)


def _summaries(step: Step, breaches: list[_Breach], *, people: dict[tuple, list[Recipient]],
               now: dt.datetime) -> list[Notification]:
    """One email to each of a front door's managers for the step's roles,
    listing the batch's referrals at that front door. The people are looked
    up once per front door and set of roles in the whole sweep."""
    by_front_door: dict[int, list[_Breach]] = defaultdict(list)
    for b in breaches:
        by_front_door[b.front_door_id].append(b)
    outbox: list[Notification] = []
    for fd_id, listed in by_front_door.items():
        key = (fd_id, step.front_door_roles)
        if key not in people:
            people[key] = recipients_for_users(
                m.user for m in members_with_role(agency_id=fd_id, roles=step.front_door_roles)
            ) if step.front_door_roles else []
        if not people[key]:
            continue
        subject, body = messages.escalation_summary(listed[:messages.SUMMARY_LISTS], total=len(listed),
                                                    rule=step.rule, summary=step.summary)
        outbox += build_notifications(
            purpose=Purpose.ESCALATION, recipients=people[key], subject=subject, body=body,
            # A summary of one referral belongs on that referral's timeline.
            referral_id=listed[0].id if len(listed) == 1 else None, front_door_id=fd_id, now=now,
        )
    return outbox


def _referrer_side_reminders(step: Step, breaches: list[_Breach], *, now: dt.datetime) -> list[Notification]:
    """The referrer (or, for a question put to another agency, that agency)
    is reminded about their own referral, one email each."""
    from django.contrib.auth import get_user_model

    from referrals.triage import agency_contacts

    senders = {u.pk: u for u in get_user_model().objects.filter(pk__in={b.sender_id for b in breaches})}
    agency_people: dict[int, list[Recipient]] = {}
    outbox: list[Notification] = []
    for b in breaches:
        subject, r = b.subject, b.as_referral()
        if step.model is InformationRequest and subject.to_agency_id:
            # A question to another agency reminds that agency, not the referrer.
            if subject.to_agency_id not in agency_people:
                agency_people[subject.to_agency_id] = recipients_for_users(agency_contacts(subject.to_agency_id))
            recipients = agency_people[subject.to_agency_id]
        else:
            recipients = recipients_for_users([senders[r.sender_id]])
        outbox += build_notifications(
            purpose=Purpose.ESCALATION, recipients=recipients,
            subject=messages.escalation_subject(r, rule=step.rule, level=step.level),
            body=messages.escalation_body(r, rule=step.rule, level=step.level, summary=step.summary),
            referral_id=r.pk, now=now,
        )
    return outbox


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
