"""Applying the retention rules.

A decided referral is destroyed when its rule's period since the decision has
passed, unless it is on hold, or it is part of a child's history (a confirmed
earlier-history link, either way) with a referral that must still be kept:
a child's history goes together or not at all. Open referrals are never
touched. Destroying a referral removes it, every part of it and every version
of it in the history tables, and leaves a DestructionRecord with its
reference and dates. A dry run reports the same, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.apps import apps
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import COMMAND, record_event
from documents.models import Document
from privacy.models import DestructionRecord, RecordType, RetentionHold, RetentionRule
from referrals.models import Draft, IdempotencyRecord, LinkStatus, Referral, ReferralLink, Status
from referrals.services.attachments import delete_documents_of_drafts

BATCH = 500


@dataclass
class RetentionReport:
    as_of: dt.datetime
    dry_run: bool
    referrals: list[str] = field(default_factory=list)
    kept_for_history: list[str] = field(default_factory=list)
    kept_on_hold: list[str] = field(default_factory=list)
    drafts: int = 0
    idempotency_records: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def lines(self) -> list[str]:
        verb = "Would destroy" if self.dry_run else "Destroyed"
        out = [
            f"Retention rules applied as of {self.as_of:%Y-%m-%d %H:%M %Z}"
            + (" (dry run: nothing changed)" if self.dry_run else "")
        ]
        out.append(f"{verb} {len(self.referrals)} decided referrals")
        for rule, count in sorted(self.by_rule.items()):
            out.append(f"  {count:>7}  under: {rule}")
        if self.referrals:
            shown = ", ".join(self.referrals[:20]) + (" …" if len(self.referrals) > 20 else "")
            out.append(f"  references: {shown}")
        out.append(f"Kept because a retention hold is on them: {len(self.kept_on_hold)}")
        out.append(
            f"Kept because a linked referral about the same child is still kept: "
            f"{len(self.kept_for_history)}"
        )
        out.append(f"{verb} {self.drafts} unsent drafts")
        out.append(f"{verb} {self.idempotency_records} API retry records")
        return out


def _rules() -> dict[str, list[RetentionRule]]:
    """Every rule, active or not: a switched-off rule for one decision means
    "keep those", never "fall back to the general rule"."""
    rules: dict[str, list[RetentionRule]] = defaultdict(list)
    for rule in RetentionRule.objects.all():
        rules[rule.record_type].append(rule)
    return rules


def _still_decided() -> QuerySet[Referral]:
    """Decided, and nothing about it is still going on: no open challenge,
    no unanswered question."""
    return (
        Referral.objects.filter(status=Status.DECIDED, decided_at__isnull=False)
        .exclude(challenges__is_open=True)
        .exclude(information_requests__is_open=True)
    )


def _due_referrals(
    rules: list[RetentionRule], as_of: dt.datetime
) -> dict[int, tuple[str, RetentionRule]]:
    """Decided referrals past their period: {id: (reference, rule)}."""
    specific = {rule.decision: rule for rule in rules if rule.decision}
    general = next((rule for rule in rules if not rule.decision), None)
    due: dict[int, tuple[str, RetentionRule]] = {}
    decided = _still_decided()
    for decision, rule in specific.items():
        if not rule.is_active:
            continue
        cutoff = as_of - dt.timedelta(days=rule.keep_for_days)
        for pk, reference in decided.filter(decision=decision, decided_at__lt=cutoff).values_list(
            "pk", "reference"
        ):
            due[pk] = (reference, rule)
    if general is not None and general.is_active:
        cutoff = as_of - dt.timedelta(days=general.keep_for_days)
        rest = decided.exclude(decision__in=list(specific)).filter(decided_at__lt=cutoff)
        for pk, reference in rest.values_list("pk", "reference"):
            due[pk] = (reference, general)
    return due


def _keep_whole_histories(
    due: dict[int, tuple[str, RetentionRule]], report: RetentionReport
) -> None:
    """Drop from `due` anything on hold, then, repeatedly, anything linked to
    a referral that is not being destroyed."""
    held = set(
        RetentionHold.objects.filter(lifted_at__isnull=True, referral_id__in=list(due)).values_list(
            "referral_id", flat=True
        )
    )
    for pk in held:
        report.kept_on_hold.append(due.pop(pk)[0])
    links = list(
        ReferralLink.objects.filter(status=LinkStatus.CONFIRMED)
        .filter(Q(referral_id__in=list(due)) | Q(earlier_id__in=list(due)))
        .values_list("referral_id", "earlier_id")
    )
    changed = True
    while changed:
        changed = False
        for a, b in links:
            for this, other in ((a, b), (b, a)):
                if this in due and other not in due:
                    report.kept_for_history.append(due.pop(this)[0])
                    changed = True


def _history_models() -> list[tuple[type[models.Model], str]]:
    """Every history table that holds versions of a referral or its parts,
    with the column that names the referral."""
    found = []
    for model in apps.get_app_config("referrals").get_models():
        if not model.__name__.startswith("Historical"):
            continue
        names = {f.attname for f in model._meta.fields}
        if model.__name__ == "HistoricalReferral":
            found.append((model, "id"))
        # A version of a link names the other referral too ("earlier").
        found += [(model, column) for column in ("referral_id", "earlier_id") if column in names]
    return found


def _destroy(batch: list[tuple[int, str, RetentionRule]], due: set[int], now: dt.datetime) -> int:
    """Destroy a batch in the caller's transaction, checking each referral
    again under a lock: a challenge, a question, a hold or a new link may
    have come since the list was made. Returns how many went."""
    wanted = [pk for pk, _, _ in batch]
    ids = list(
        _still_decided()
        .select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .exclude(pk__in=RetentionHold.objects.filter(lifted_at__isnull=True).values("referral_id"))
        .values_list("pk", flat=True)
    )
    linked_to_kept = {
        this
        for a, b in ReferralLink.objects.filter(status=LinkStatus.CONFIRMED)
        .filter(Q(referral_id__in=ids) | Q(earlier_id__in=ids))
        .values_list("referral_id", "earlier_id")
        for this, other in ((a, b), (b, a))
        if other not in due
    }
    ids = [pk for pk in ids if pk not in linked_to_kept]
    if not ids:
        return 0
    rows: dict[int, tuple[str, int, dt.datetime, dt.datetime]] = {}
    for pk, kind, fd, received, decided in Referral.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "front_door_id", "received_at", "decided_at"
    ):
        if decided is None:  # every id was locked above as still decided
            raise RuntimeError(f"Referral {pk} is no longer decided; not destroyed")
        rows[pk] = (kind, fd, received, decided)
    DestructionRecord.objects.bulk_create(
        [
            DestructionRecord(
                reference=reference,
                front_door_id=rows[pk][1],
                kind=rows[pk][0],
                received_on=rows[pk][2].date(),
                decided_on=rows[pk][3].date(),
                rule=str(rule)[:200],
                destroyed_at=now,
            )
            for pk, reference, rule in batch
            if pk in rows
        ],
        ignore_conflicts=True,
    )
    ReferralLink.objects.filter(Q(referral_id__in=ids) | Q(earlier_id__in=ids)).delete()
    RetentionHold.objects.filter(referral_id__in=ids, lifted_at__isnull=False).delete()
    documents = list(Document.objects.filter(attachment__referral_id__in=ids))
    Referral.objects.filter(pk__in=ids).delete()  # and, with it, its attachments
    # The documents go with their referral; their files once that is
    # committed (a rolled-back batch keeps its files).
    Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
    for document in documents:
        if document.file:
            transaction.on_commit(partial(document.file.storage.delete, document.file.name))
    # Last: deleting the rows above writes a "deleted" version of each.
    for model, column in _history_models():
        # A history model has only its default manager, `objects`.
        model._default_manager.filter(**{f"{column}__in": ids}).delete()
    return len(ids)


def apply_retention(
    *, as_of: dt.datetime | None = None, dry_run: bool = True, actor: User | None = None
) -> RetentionReport:
    as_of = as_of or timezone.now()
    report = RetentionReport(as_of=as_of, dry_run=dry_run)
    rules = _rules()

    due = _due_referrals(rules.get(RecordType.DECIDED_REFERRAL, []), as_of)
    _keep_whole_histories(due, report)
    ordered = sorted(due.items())
    report.referrals = [reference for _, (reference, _) in ordered]
    for _, (_, rule) in ordered:
        report.by_rule[str(rule)] += 1

    # A rule switched off keeps those records: only active rules remove any.
    drafts = Draft.objects.none()
    for rule in rules.get(RecordType.DRAFT, []):
        if not rule.is_active:
            continue
        drafts = Draft.objects.filter(updated_at__lt=as_of - dt.timedelta(days=rule.keep_for_days))
    retries = IdempotencyRecord.objects.none()
    for rule in rules.get(RecordType.IDEMPOTENCY, []):
        if not rule.is_active:
            continue
        retries = IdempotencyRecord.objects.filter(
            created_at__lt=as_of - dt.timedelta(days=rule.keep_for_days)
        )
    report.drafts = drafts.count()
    report.idempotency_records = retries.count()
    if dry_run:
        return report

    now = timezone.now()
    due_ids = set(due)
    destroyed = 0
    try:
        for start in range(0, len(ordered), BATCH):
            chunk = [
                (pk, reference, rule) for pk, (reference, rule) in ordered[start : start + BATCH]
            ]
            with transaction.atomic():
                destroyed += _destroy(chunk, due_ids, now)
        with transaction.atomic():
            delete_documents_of_drafts(drafts)
            drafts.delete()
            retries.delete()
    finally:
        # Whatever happened, the audit says what was done.
        record_event(
            actor=actor,
            action=Action.RETENTION_APPLIED,
            object_type="retention",
            object_ref=f"{as_of:%Y-%m-%d}",
            origin=COMMAND,
            detail={
                "referrals": destroyed,
                "drafts": report.drafts,
                "idempotency_records": report.idempotency_records,
                "kept_on_hold": len(report.kept_on_hold),
                "kept_for_history": len(report.kept_for_history),
            },
        )
    if destroyed != len(ordered):
        kept = set(report.referrals) - set(
            DestructionRecord.objects.filter(reference__in=report.referrals).values_list(
                "reference", flat=True
            )
        )
        report.referrals = [ref for ref in report.referrals if ref not in kept]
        report.kept_for_history += sorted(kept)
    return report
