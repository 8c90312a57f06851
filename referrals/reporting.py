"""Partnership figures: "how will we know" from the reviews, as numbers.

Aggregates only: no child's name, date of birth or reference leaves this
module. Every figure is for referrals *received* in the date range (local
dates, inclusive) by one front door, overall and per sending agency.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from referrals.models import (
    Challenge,
    ChallengeOutcome,
    Child,
    Decision,
    Escalation,
    EscalationRule,
    Kind,
    LinkStatus,
    Referral,
    ReferralLink,
    Status,
)

RE_REFERRAL_WINDOW = dt.timedelta(days=365)


@dataclass
class Figures:
    """The figures for one group of referrals (all, or one sending agency)."""

    referrals: int = 0
    consultations: int = 0
    hours_to_acknowledge: list[float] = field(default_factory=list)
    hours_to_decide: list[float] = field(default_factory=list)
    acknowledgement_breaches: int = 0
    decision_breaches: int = 0
    escalations: Counter = field(default_factory=Counter)  # (rule, level) -> count
    outcomes: Counter = field(default_factory=Counter)  # decision -> count
    re_referrals: int = 0
    pre_birth: int = 0
    pre_birth_weeks_before_due: list[float] = field(default_factory=list)
    challenges_raised: int = 0
    challenges_upheld: int = 0
    challenges_changed: int = 0
    challenges_open: int = 0

    @property
    def received(self) -> int:
        return self.referrals + self.consultations

    @staticmethod
    def _median(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    @staticmethod
    def _p90(values: list[float]) -> float | None:
        if not values:
            return None
        if len(values) == 1:
            return round(values[0], 1)
        return round(statistics.quantiles(values, n=10, method="inclusive")[8], 1)

    @property
    def acknowledge_median(self) -> float | None:
        return self._median(self.hours_to_acknowledge)

    @property
    def acknowledge_p90(self) -> float | None:
        return self._p90(self.hours_to_acknowledge)

    @property
    def decide_median(self) -> float | None:
        return self._median(self.hours_to_decide)

    @property
    def decide_p90(self) -> float | None:
        return self._p90(self.hours_to_decide)

    @property
    def pre_birth_median_weeks(self) -> float | None:
        return self._median(self.pre_birth_weeks_before_due)


@dataclass
class Report:
    front_door_name: str
    start: dt.date
    end: dt.date
    overall: Figures
    by_agency: list[tuple[str, Figures]]


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def partnership_report(*, front_door_id: int, front_door_name: str, start: dt.date, end: dt.date,
                       now: dt.datetime | None = None) -> Report:
    """Figures for referrals received from `start` to `end` (inclusive).

    A fixed number of queries whatever the volume: one for the referrals'
    own columns, one each for escalations, children (re-referral and pre-birth
    checks), confirmed links and challenges.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    period = Referral.objects.filter(front_door_id=front_door_id, received_at__gte=lower, received_at__lt=upper)
    # The period's referrals are named to the other queries by a subquery, not
    # by a list of ids: a year at a large front door is tens of thousands.
    in_period = period.values("id")
    # Durations, breaches and local dates are worked out by PostgreSQL: turning
    # five time-zone-aware timestamps a row into Python objects cost more than
    # everything else in a year's report.
    rows = list(
        period.annotate(
            to_acknowledge=ExpressionWrapper(F("acknowledged_at") - F("received_at"), output_field=DurationField()),
            to_decide=ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField()),
            acknowledged_late=_late("acknowledged_at", "acknowledge_by", now),
            decided_late=_late("decided_at", "decide_by", now),
            received_on=TruncDate("received_at", tzinfo=tz),
        ).values_list("id", "kind", "status", "to_acknowledge", "acknowledged_late", "to_decide", "decided_late",
                      "decision", "expected_due_date", "received_on", "sending_agency__name")
    )
    escalations = defaultdict(list)
    for referral_id, rule, level in Escalation.objects.filter(referral_id__in=in_period).values_list(
        "referral_id", "rule", "level"
    ):
        escalations[referral_id].append((rule, level))
    challenges = defaultdict(list)
    for referral_id, is_open, outcome in Challenge.objects.filter(referral_id__in=in_period).values_list(
        "referral_id", "is_open", "outcome"
    ):
        challenges[referral_id].append((is_open, outcome))
    re_referred = _re_referrals(front_door_id, in_period)

    overall = Figures()
    per_agency: dict[str, Figures] = defaultdict(Figures)
    for (referral_id, kind, status, to_acknowledge, acknowledged_late, to_decide, decided_late, decision,
         due_date, received_on, agency) in rows:
        for figures in (overall, per_agency[agency]):
            _count(figures, kind=kind, status=status, to_acknowledge=to_acknowledge,
                   acknowledged_late=acknowledged_late, to_decide=to_decide, decided_late=decided_late,
                   decision=decision, due_date=due_date, received_on=received_on,
                   escalations=escalations[referral_id], challenges=challenges[referral_id],
                   re_referral=referral_id in re_referred)
    return Report(
        front_door_name=front_door_name, start=start, end=end, overall=overall,
        by_agency=sorted(per_agency.items()),
    )


def _late(done: str, due: str, now: dt.datetime) -> Case:
    """Done after its deadline, or not done and the deadline has passed."""
    return Case(
        When(Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)}) | Q(**{f"{done}__isnull": True,
                                                                         f"{due}__lt": now}), then=Value(True)),
        default=Value(False), output_field=BooleanField(),
    )


def _count(figures: Figures, *, kind: str, status: str, to_acknowledge: dt.timedelta | None,
           acknowledged_late: bool, to_decide: dt.timedelta | None, decided_late: bool, decision: str,
           due_date: dt.date | None, received_on: dt.date, escalations: list, challenges: list,
           re_referral: bool) -> None:
    if kind == Kind.CONSULTATION:
        figures.consultations += 1
    else:
        figures.referrals += 1
    if to_acknowledge is not None:
        figures.hours_to_acknowledge.append(_hours(to_acknowledge))
    figures.acknowledgement_breaches += int(acknowledged_late)
    if to_decide is not None:
        figures.hours_to_decide.append(_hours(to_decide))
    figures.decision_breaches += int(decided_late)
    for rule, level in escalations:
        figures.escalations[(rule, level)] += 1
    if status == Status.DECIDED and decision:
        figures.outcomes[decision] += 1
    if re_referral:
        figures.re_referrals += 1
    if due_date:
        figures.pre_birth += 1
        figures.pre_birth_weeks_before_due.append((due_date - received_on).days / 7)
    for is_open, outcome in challenges:
        figures.challenges_raised += 1
        figures.challenges_open += int(is_open)
        figures.challenges_upheld += int(outcome == ChallengeOutcome.UPHELD)
        figures.challenges_changed += int(outcome == ChallengeOutcome.CHANGED)


def _re_referrals(front_door_id: int, ids: QuerySet) -> set[int]:
    """Referrals about a child referred to this front door in the 12 months
    before: the same NHS number, or an earlier referral a worker linked."""
    received = OuterRef("referral__received_at")
    earlier_same_child = Child.objects.filter(
        nhs_number=OuterRef("nhs_number"), referral__front_door_id=front_door_id,
        referral__received_at__lt=received, referral__received_at__gte=received - RE_REFERRAL_WINDOW,
    ).exclude(referral_id=OuterRef("referral_id"))
    # One query, answered by PostgreSQL from the NHS number index.
    found = set(
        Child.objects.filter(referral_id__in=ids).exclude(nhs_number="")
        .filter(Exists(earlier_same_child)).values_list("referral_id", flat=True)
    )
    for referral_id, received, earlier_received in ReferralLink.objects.filter(
        referral_id__in=ids, status=LinkStatus.CONFIRMED
    ).values_list("referral_id", "referral__received_at", "earlier__received_at"):
        if received - RE_REFERRAL_WINDOW <= earlier_received < received:
            found.add(referral_id)
    return found


DECISION_LABELS = dict(Decision.choices)
RULE_LABELS = dict(EscalationRule.choices)


def csv_rows(report: Report) -> list[list[Any]]:
    """The report as spreadsheet rows: one row per sending agency and a total."""
    header = [
        "Sending agency", "Referrals", "Consultations",
        "Hours to acknowledge (median)", "Hours to acknowledge (90th percentile)",
        "Hours to decide (median)", "Hours to decide (90th percentile)",
        "Acknowledgement deadlines missed", "Decision deadlines missed",
        *[f"Escalations: {RULE_LABELS[rule].lower()}, level {level}"
          for rule in EscalationRule.values for level in (1, 2)],
        *[f"Outcome: {label}" for label in DECISION_LABELS.values()],
        "Re-referrals within 12 months", "Pre-birth referrals", "Weeks before due date (median)",
        "Challenges raised", "Challenges upheld", "Challenges that changed the decision", "Challenges open",
    ]

    def row(name: str, f: Figures) -> list[Any]:
        return [
            name, f.referrals, f.consultations,
            f.acknowledge_median, f.acknowledge_p90, f.decide_median, f.decide_p90,
            f.acknowledgement_breaches, f.decision_breaches,
            *[f.escalations[(rule, level)] for rule in EscalationRule.values for level in (1, 2)],
            *[f.outcomes[decision] for decision in DECISION_LABELS],
            f.re_referrals, f.pre_birth, f.pre_birth_median_weeks,
            f.challenges_raised, f.challenges_upheld, f.challenges_changed, f.challenges_open,
        ]

    return [header, *[row(name, f) for name, f in report.by_agency], row("All agencies", report.overall)]

