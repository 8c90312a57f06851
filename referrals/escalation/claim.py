"""The sweep's claim: one set-based conditional UPDATE per escalation step.

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
timeline shows) are written by the same statement on PostgreSQL, and in the
same transaction elsewhere; a unique constraint on (referral, rule, subject,
level) backs this up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import connection

from referrals.escalation.ladder import Step
from referrals.models import Escalation, Referral


class Breach(NamedTuple):
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
        return Referral(
            id=self.id,
            reference=self.reference,
            kind=self.kind,
            urgency=self.urgency,
            status=self.status,
            front_door_id=self.front_door_id,
            sending_agency_id=self.sending_agency_id,
            sender_id=self.sender_id,
        )


# The referral's columns a claim brings back, in Breach's order after `subject`.
REFERRAL_COLUMNS = Breach._fields[1:]


def claim_sql(step: Step, returning: str = "") -> str:
    """The claim's UPDATE for one step. `returning` is its RETURNING list
    (by default the claimed row's key and its referral's id)."""
    q = connection.ops.quote_name
    table, pk, due = step.model._meta.db_table, q(step.pk_column), q(step.due_column)
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    opens = ", ".join(["%s"] * len(step.open_values))
    condition = f"{q(step.open_column)} IN ({opens}) AND {q(step.level_column)} = %s"
    # Only our own table and column names are put into the text; every value
    # is a parameter.
    chosen = (
        f"SELECT {pk} FROM {table} WHERE {condition} AND {due} <= %s ORDER BY {due} LIMIT %s{lock}"  # noqa: S608 - table and column names from our models; # nosec B608
    )
    if connection.vendor == "postgresql":
        # ARRAY(...) is worked out once, then the UPDATE finds the claimed rows
        # by primary key. With "id IN (SELECT ...)" PostgreSQL hash-joined the
        # batch against every breached row, once per batch: a catch-up of
        # 100,000 breaches read the partial index 200 times over.
        which = f"{pk} = ANY(ARRAY({chosen}))"
    else:
        which = f"{pk} IN ({chosen})"
    returning = returning or f"{pk}, {q(step.referral_column)}"
    return (
        f"UPDATE {table} SET {q(step.level_column)} = %s "  # noqa: S608 - our names; # nosec B608
        f"WHERE {which} AND {condition} RETURNING {returning}"
    )


def claim_batch(step: Step, *, now: dt.datetime, limit: int) -> list[tuple[Any, ...]]:
    """Claim a batch of breaches and write their escalation rows. Returns, for
    each claimed row, its primary key followed by the referral's columns the
    emails use (`REFERRAL_COLUMNS`).

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
    subject_value = (
        (q(step.round_column) if step.round_column else "0")
        if step.is_about_referral
        else q(step.pk_column)
    )
    escalation_columns = "referral_id, rule, subject_id, level, due_at, escalated_at"
    referral_columns = ", ".join(f"r.{q(name)}" for name in REFERRAL_COLUMNS)
    if connection.vendor == "postgresql":
        claim = claim_sql(
            step,
            returning=(
                f"{q(step.pk_column)} AS subject_pk, {q(step.referral_column)} AS "
                "claimed_referral_id, "
                f"{subject_value} AS subject_value, {q(step.due_column)} AS due_at"
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH claimed AS ({claim}), recorded AS (INSERT INTO {Escalation._meta.db_table} "  # noqa: S608 - table and column names from our models; # nosec B608
                f"({escalation_columns}) SELECT claimed_referral_id, %s, subject_value, %s, "
                "due_at, "
                f"{typed_parameter('timestamp with time zone')} FROM claimed) "
                f"SELECT subject_pk, {referral_columns} FROM claimed "
                f"JOIN {Referral._meta.db_table} r ON r.id = claimed_referral_id",
                [*claim_params, step.rule, step.level, at],
            )
            breaches: list[tuple[Any, ...]] = cursor.fetchall()
            return breaches
    with connection.cursor() as cursor:
        cursor.execute(claim_sql(step), claim_params)
        claimed = cursor.fetchall()
        if not claimed:
            return []
        ids, id_params = id_list([pk for pk, _ in claimed])
        cursor.execute(
            f"INSERT INTO {Escalation._meta.db_table} ({escalation_columns}) "  # noqa: S608 - table and column names from our models; # nosec B608
            f"SELECT {q(step.referral_column)}, %s, {subject_value}, %s, {q(step.due_column)}, %s "
            f"FROM {step.model._meta.db_table} WHERE {q(step.pk_column)} IN ({ids})",
            [step.rule, step.level, at, *id_params],
        )
        ids, id_params = id_list(sorted({referral_id for _, referral_id in claimed}))
        cursor.execute(
            f"SELECT {referral_columns} FROM {Referral._meta.db_table} r WHERE r.id IN ({ids})",  # noqa: S608 - table and column names from our models; # nosec B608
            id_params,
        )
        rows = {row[0]: row for row in cursor.fetchall()}
    return [(pk, *rows[referral_id]) for pk, referral_id in claimed]


def id_list(ids: list[int]) -> tuple[str, list[Any]]:
    """What goes in "id IN (...)" for a batch of ids, and its parameters.
    PostgreSQL: one array parameter (thousands of placeholders cost more to
    parse and send than the rows). Other databases: a placeholder each."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [ids]
    return ", ".join(["%s"] * len(ids)), list(ids)


def typed_parameter(sql_type: str) -> str:
    """A parameter in a SELECT list: PostgreSQL would take an untyped one for
    text, so say its type; SQLite has no column types to match."""
    return f"CAST(%s AS {sql_type})" if connection.vendor == "postgresql" else "%s"
