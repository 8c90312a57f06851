"""Partnership figures: "how will we know" from the reviews, as numbers.

Aggregates only: no child's name, date of birth or reference leaves this
module. Every figure is for referrals *received* in the date range (local
dates, inclusive) by one front door, overall and per sending agency.

The database counts, in five queries whatever the volume (six on SQLite):
1. The period's referrals by sending agency, with every count the figures
   need. Every column it reads is in the index referral_fd_received, so a
   year at a large front door is read from that index, not from the wide
   referral rows. On PostgreSQL the same query also returns each agency's
   durations (hours to acknowledge and to decide, weeks before a due date),
   packed; other databases (SQLite, in the embedded mode) send them in a
   query of their own (`_add_durations`).
2. Escalations by sending agency, rule and level; 3. challenges by agency;
4. the agencies' names; 5. everything received by channel, census referral
source and kind (contact, consultation, referral).
Medians and 90th percentiles are worked out here by `statistics`, as they
always were, not by PostgreSQL's percentile_cont: that interpolates with other
floating-point steps, and now and then rounds to another first decimal (two
acknowledgements after 22 and 368 minutes: statistics.median gives 3.25 hours,
shown as 3.2; percentile_cont gives 3.2500000000000004, shown as 3.3).

What the page and the spreadsheet show is `shown(report)`, not the exact
figures: small numbers about children could pick one out ("the one referral
from the dental practice on Tuesday was for a child protection enquiry").
So a count from 1 to 4 is shown as "fewer than 5", every other count is
rounded to the nearest 5 (so a hidden count cannot be worked back from a
total and the other rows), and a median or 90th percentile is shown only when
enough durations make it (5 and 10): one referral's median is that
referral's time. The managers' dashboard keeps the exact live numbers for the
people who may see every referral.

A re-referral is a fact kept on the referral (`is_re_referral`), worked out
by referrals.selectors.re_referrals, so the figures count a column instead of
searching every child's earlier referrals.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    BinaryField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Extract, TruncDate
from django.utils import timezone

from agencies.models import Agency
from referrals.census import CensusSource, plain_label
from referrals.models import (
    Challenge,
    ChallengeOutcome,
    Channel,
    Decision,
    Escalation,
    EscalationRule,
    Kind,
    Referral,
    Status,
)

_COUNTS = (
    "referrals",
    "consultations",
    "contacts",
    "acknowledgement_breaches",
    "decision_breaches",
    "re_referrals",
    "pre_birth",
    "challenges_raised",
    "challenges_upheld",
    "challenges_changed",
    "challenges_open",
)


@dataclass
class Figures:
    """The figures for one group of referrals (all, or one sending agency)."""

    referrals: int = 0
    consultations: int = 0
    # Recorded by the front door and not (yet) made a referral; closed as
    # information only or still open. A contact made a referral is a referral.
    contacts: int = 0
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
        return self.referrals + self.consultations + self.contacts

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

    def add(self, other: Figures) -> None:
        """Add another group's figures to these (the agencies make the whole)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.hours_to_acknowledge += other.hours_to_acknowledge
        self.hours_to_decide += other.hours_to_decide
        self.pre_birth_weeks_before_due += other.pre_birth_weeks_before_due
        self.escalations.update(other.escalations)
        self.outcomes.update(other.outcomes)

    def sort_durations(self) -> None:
        """Sort the durations once: each median and percentile the page asks
        for afterwards then sorts a sorted list, which takes no time."""
        self.hours_to_acknowledge.sort()
        self.hours_to_decide.sort()
        self.pre_birth_weeks_before_due.sort()


@dataclass
class KindCounts:
    """How many of each kind came by one channel, or from one census source."""

    contacts: int = 0
    consultations: int = 0
    referrals: int = 0

    @property
    def received(self) -> int:
        return self.contacts + self.consultations + self.referrals


@dataclass
class ChannelsAndSources:
    """Everything received, by how it came in and by its Children in Need
    census referral source, each with a row for every channel and source."""

    by_channel: dict[str, KindCounts]
    by_census_source: dict[str, KindCounts]


_KIND_FIELDS = {
    Kind.CONTACT: "contacts",
    Kind.CONSULTATION: "consultations",
    Kind.REFERRAL: "referrals",
}


def channels_and_sources(received: QuerySet[Referral]) -> ChannelsAndSources:
    """One grouped count of `received` (already scoped to a front door and a
    period by the caller) by channel, census source and kind."""
    result = ChannelsAndSources(
        by_channel={channel: KindCounts() for channel in Channel.values},
        by_census_source={code: KindCounts() for code in [*CensusSource.values, ""]},
    )
    rows = (
        received.order_by()
        .values_list("channel", "census_source", "kind")
        .annotate(count=Count("pk"))
    )
    for channel, source, kind, count in rows:
        name = _KIND_FIELDS.get(kind, "referrals")
        for counts in (
            result.by_channel.setdefault(channel, KindCounts()),
            result.by_census_source.setdefault(source, KindCounts()),
        ):
            setattr(counts, name, getattr(counts, name) + count)
    return result


@dataclass
class Report:
    front_door_name: str
    start: dt.date
    end: dt.date
    overall: Figures
    by_agency: list[tuple[str, Figures]]
    channels: ChannelsAndSources | None = None


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def partnership_report(
    *,
    front_door_id: int,
    front_door_name: str,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> Report:
    """Figures for referrals received from `start` to `end` (inclusive); the
    steps are in the module's docstring."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    period = Referral.objects.filter(_received_in(front_door_id, lower, upper)).order_by()
    # The one difference between databases: whether step 1 brings the durations.
    durations_packed = connection.vendor == "postgresql"
    # By the agency's id, named at the end: grouping by name would join every
    # referral to its agency before counting.
    by_id: dict[int, Figures] = defaultdict(Figures)

    # 1. The referrals.
    groups = period.values("sending_agency_id").annotate(
        referrals=Count("pk", filter=Q(kind=Kind.REFERRAL)),
        consultations=Count("pk", filter=Q(kind=Kind.CONSULTATION)),
        contacts=Count("pk", filter=Q(kind=Kind.CONTACT)),
        acknowledgement_breaches=Count(
            "pk", filter=_late("acknowledged_at", "acknowledge_by", now)
        ),
        decision_breaches=Count("pk", filter=_late("decided_at", "decide_by", now)),
        re_referrals=Count("pk", filter=Q(is_re_referral=True)),
        pre_birth=Count("pk", filter=Q(expected_due_date__isnull=False)),
        **{
            f"decided_{decision}": Count("pk", filter=Q(status=Status.DECIDED, decision=decision))
            for decision in Decision.values
        },
        first_id=Min("pk"),
        last_id=Max("pk"),
        **(_packed_durations(tz) if durations_packed else {}),
    )
    ids: list[int] = []
    for group in groups:
        ids += [group["first_id"], group["last_id"]]
        figures = by_id[group["sending_agency_id"]]
        for name in (
            "referrals",
            "consultations",
            "contacts",
            "acknowledgement_breaches",
            "decision_breaches",
            "re_referrals",
            "pre_birth",
        ):
            setattr(figures, name, group[name])
        for decision in Decision.values:
            if group[f"decided_{decision}"]:
                figures.outcomes[decision] = group[f"decided_{decision}"]
        if durations_packed:
            figures.hours_to_acknowledge = _unpack(group["hours_to_acknowledge"])
            figures.hours_to_decide = _unpack(group["hours_to_decide"])
            figures.pre_birth_weeks_before_due = _unpack(group["weeks_before_due"])
    if not durations_packed:
        _add_durations(period, by_id, tz)

    # 2. Escalations. The period's referrals lie between its first and last
    # ids: saying so changes no figure, and lets PostgreSQL drop other
    # referrals' escalations before the join instead of matching every
    # escalation ever made (bench/notes.md: the partnership figures).
    between = Q(referral_id__gte=min(ids), referral_id__lte=max(ids)) if ids else Q()
    escalations = (
        Escalation.objects.filter(between, _received_in(front_door_id, lower, upper, "referral__"))
        .order_by()
        .values_list("referral__sending_agency_id", "rule", "level")
        .annotate(count=Count("pk"))
    )
    for agency_id, rule, level, count in escalations:
        by_id[agency_id].escalations[(rule, level)] += count

    # 3. Challenges, bounded the same way.
    challenges = (
        Challenge.objects.filter(between, _received_in(front_door_id, lower, upper, "referral__"))
        .order_by()
        .values_list("referral__sending_agency_id")
        .annotate(
            raised=Count("pk"),
            still_open=Count("pk", filter=Q(is_open=True)),
            upheld=Count("pk", filter=Q(outcome=ChallengeOutcome.UPHELD)),
            changed=Count("pk", filter=Q(outcome=ChallengeOutcome.CHANGED)),
        )
    )
    for agency_id, raised, still_open, upheld, changed in challenges:
        figures = by_id[agency_id]
        figures.challenges_raised += raised
        figures.challenges_open += still_open
        figures.challenges_upheld += upheld
        figures.challenges_changed += changed

    # 4. Names. Two agencies with the same name are one row, as they always were.
    per_agency: dict[str, Figures] = defaultdict(Figures)
    for agency_id, name in Agency.objects.filter(pk__in=list(by_id)).values_list("pk", "name"):
        per_agency[name].add(by_id[agency_id])
    overall = Figures()
    for figures in per_agency.values():
        figures.sort_durations()
        overall.add(figures)
    overall.sort_durations()  # a merge of the agencies' sorted lists
    return Report(
        front_door_name=front_door_name,
        start=start,
        end=end,
        overall=overall,
        by_agency=sorted(per_agency.items()),
        # 5. By channel and census source: one more grouped count.
        channels=channels_and_sources(period),
    )


def _received_in(front_door_id: int, lower: dt.datetime, upper: dt.datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}front_door_id": front_door_id,
            f"{prefix}received_at__gte": lower,
            f"{prefix}received_at__lt": upper,
        }
    )


def _late(done: str, due: str, now: dt.datetime) -> Q:
    """Done after its deadline, or not done and the deadline has passed."""
    return Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)}) | Q(
        **{f"{done}__isnull": True, f"{due}__lt": now}
    )


class _DaysBetween(Func):
    """PostgreSQL: whole days from the second date to the first (subtracting
    dates gives an integer there)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


class _PackedFloats(Aggregate):
    """PostgreSQL: a group's values as 8-byte floats end to end (float8send
    gives the exact bits). Read back by `_unpack` far faster than the same
    floats sent as the text of arrays (bench/notes.md)."""

    function = "string_agg"
    template = "%(function)s(float8send(%(expressions)s), ''::bytea)"
    output_field = BinaryField()


def _unpack(packed: bytes | None) -> list[float]:
    values = array("d")
    if packed:
        values.frombytes(packed)
        if sys.byteorder == "little":
            values.byteswap()  # float8send writes the most significant byte first
    return values.tolist()


def _packed_durations(tz: dt.tzinfo) -> dict[str, _PackedFloats]:
    """PostgreSQL: each group's durations, worked out with the same
    floating-point steps as `_add_durations` (the exact seconds made a float,
    then divided by 3600; whole days divided by 7), so every figure is the
    same to the last bit whichever database counted it."""

    def hours(done: str) -> Any:
        return Cast(Extract(F(done) - F("received_at"), "epoch"), FloatField()) / Value(3600.0)

    weeks = Cast(
        _DaysBetween(F("expected_due_date"), TruncDate("received_at", tzinfo=tz)), FloatField()
    ) / Value(7.0)
    return {
        "hours_to_acknowledge": _PackedFloats(
            hours("acknowledged_at"), filter=Q(acknowledged_at__isnull=False)
        ),
        "hours_to_decide": _PackedFloats(hours("decided_at"), filter=Q(decided_at__isnull=False)),
        "weeks_before_due": _PackedFloats(weeks, filter=Q(expected_due_date__isnull=False)),
    }


def _add_durations(period: QuerySet[Referral], by_id: dict[int, Figures], tz: dt.tzinfo) -> None:
    """Other databases: the durations of the period's referrals, a row each."""
    rows = period.filter(
        Q(acknowledged_at__isnull=False)
        | Q(decided_at__isnull=False)
        | Q(expected_due_date__isnull=False)
    ).values_list(
        "sending_agency_id",
        ExpressionWrapper(F("acknowledged_at") - F("received_at"), output_field=DurationField()),
        ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField()),
        "expected_due_date",
        TruncDate("received_at", tzinfo=tz),
    )
    for agency_id, to_acknowledge, to_decide, due_date, received_on in rows:
        figures = by_id[agency_id]
        if to_acknowledge is not None:
            figures.hours_to_acknowledge.append(_hours(to_acknowledge))
        if to_decide is not None:
            figures.hours_to_decide.append(_hours(to_decide))
        if due_date:
            figures.pre_birth_weeks_before_due.append((due_date - received_on).days / 7)


SMALL_NUMBER = 5
FEWER_THAN = f"fewer than {SMALL_NUMBER}"
FEWEST_FOR_MEDIAN = 5
FEWEST_FOR_P90 = 10

Shown = int | str


def shown_count(count: int) -> Shown:
    """A count as it may be shown: 0, "fewer than 5", or rounded to the nearest 5."""
    if count == 0:
        return 0
    if count < SMALL_NUMBER:
        return FEWER_THAN
    return (count + SMALL_NUMBER // 2) // SMALL_NUMBER * SMALL_NUMBER


@dataclass(frozen=True)
class ShownFigures:
    """One group's figures with small numbers hidden: what a reader may see."""

    referrals: Shown
    consultations: Shown
    contacts: Shown
    received: Shown
    acknowledge_median: float | None
    acknowledge_p90: float | None
    decide_median: float | None
    decide_p90: float | None
    acknowledgement_breaches: Shown
    decision_breaches: Shown
    breaches: Shown
    escalations: dict[tuple[str, int], Shown]
    outcomes: dict[str, Shown]
    re_referrals: Shown
    pre_birth: Shown
    pre_birth_median_weeks: float | None
    challenges_raised: Shown
    challenges_upheld: Shown
    challenges_changed: Shown
    challenges_open: Shown

    @classmethod
    def of(cls, f: Figures) -> ShownFigures:
        def median(values: list[float]) -> float | None:
            return f._median(values) if len(values) >= FEWEST_FOR_MEDIAN else None

        def p90(values: list[float]) -> float | None:
            return f._p90(values) if len(values) >= FEWEST_FOR_P90 else None

        return cls(
            referrals=shown_count(f.referrals),
            consultations=shown_count(f.consultations),
            contacts=shown_count(f.contacts),
            received=shown_count(f.received),
            acknowledge_median=median(f.hours_to_acknowledge),
            acknowledge_p90=p90(f.hours_to_acknowledge),
            decide_median=median(f.hours_to_decide),
            decide_p90=p90(f.hours_to_decide),
            acknowledgement_breaches=shown_count(f.acknowledgement_breaches),
            decision_breaches=shown_count(f.decision_breaches),
            breaches=shown_count(f.acknowledgement_breaches + f.decision_breaches),
            escalations={
                (rule, level): shown_count(f.escalations[(rule, level)])
                for rule in EscalationRule.values
                for level in (1, 2)
            },
            outcomes={decision: shown_count(f.outcomes[decision]) for decision in Decision.values},
            re_referrals=shown_count(f.re_referrals),
            pre_birth=shown_count(f.pre_birth),
            pre_birth_median_weeks=median(f.pre_birth_weeks_before_due),
            challenges_raised=shown_count(f.challenges_raised),
            challenges_upheld=shown_count(f.challenges_upheld),
            challenges_changed=shown_count(f.challenges_changed),
            challenges_open=shown_count(f.challenges_open),
        )


@dataclass(frozen=True)
class ShownKindCounts:
    label: str
    contacts: Shown
    consultations: Shown
    referrals: Shown
    received: Shown

    @classmethod
    def of(cls, label: str, counts: KindCounts) -> ShownKindCounts:
        return cls(
            label=label,
            contacts=shown_count(counts.contacts),
            consultations=shown_count(counts.consultations),
            referrals=shown_count(counts.referrals),
            received=shown_count(counts.received),
        )

    @classmethod
    def exact(cls, label: str, counts: KindCounts) -> ShownKindCounts:
        """For the managers' dashboard, which shows live exact numbers."""
        return cls(
            label=label,
            contacts=counts.contacts,
            consultations=counts.consultations,
            referrals=counts.referrals,
            received=counts.received,
        )


@dataclass(frozen=True)
class ShownReport:
    front_door_name: str
    start: dt.date
    end: dt.date
    overall: ShownFigures
    by_agency: list[tuple[str, ShownFigures]]
    by_channel: list[ShownKindCounts] = field(default_factory=list)
    by_census_source: list[ShownKindCounts] = field(default_factory=list)


CHANNEL_LABELS = dict(Channel.choices)


def channel_rows(channels: ChannelsAndSources) -> list[tuple[str, KindCounts]]:
    return [(str(CHANNEL_LABELS.get(c, c)), n) for c, n in channels.by_channel.items()]


def census_rows(channels: ChannelsAndSources) -> list[tuple[str, KindCounts]]:
    return [(plain_label(code), n) for code, n in channels.by_census_source.items()]


def shown(report: Report) -> ShownReport:
    """The report as the page and the spreadsheet show it (see the module's note)."""
    channels = report.channels
    return ShownReport(
        front_door_name=report.front_door_name,
        start=report.start,
        end=report.end,
        overall=ShownFigures.of(report.overall),
        by_agency=[(name, ShownFigures.of(f)) for name, f in report.by_agency],
        by_channel=[ShownKindCounts.of(*row) for row in channel_rows(channels)] if channels else [],
        by_census_source=[ShownKindCounts.of(*row) for row in census_rows(channels)]
        if channels
        else [],
    )


DECISION_LABELS = dict(Decision.choices)
RULE_LABELS = dict(EscalationRule.choices)


def csv_rows(report: ShownReport) -> list[list[Any]]:
    """The report as spreadsheet rows: one row per sending agency and a total."""
    header = [
        "Sending agency",
        "Referrals",
        "Consultations",
        "Contacts",
        "Hours to acknowledge (median)",
        "Hours to acknowledge (90th percentile)",
        "Hours to decide (median)",
        "Hours to decide (90th percentile)",
        "Acknowledgement deadlines missed",
        "Decision deadlines missed",
        *[
            f"Escalations: {RULE_LABELS[rule].lower()}, level {level}"
            for rule in EscalationRule.values
            for level in (1, 2)
        ],
        *[f"Outcome: {label}" for label in DECISION_LABELS.values()],
        "Re-referrals within 12 months",
        "Pre-birth referrals",
        "Weeks before due date (median)",
        "Challenges raised",
        "Challenges upheld",
        "Challenges that changed the decision",
        "Challenges open",
    ]

    def row(name: str, f: ShownFigures) -> list[Any]:
        return [
            name,
            f.referrals,
            f.consultations,
            f.contacts,
            f.acknowledge_median,
            f.acknowledge_p90,
            f.decide_median,
            f.decide_p90,
            f.acknowledgement_breaches,
            f.decision_breaches,
            *[f.escalations[(rule, level)] for rule in EscalationRule.values for level in (1, 2)],
            *[f.outcomes[decision] for decision in DECISION_LABELS],
            f.re_referrals,
            f.pre_birth,
            f.pre_birth_median_weeks,
            f.challenges_raised,
            f.challenges_upheld,
            f.challenges_changed,
            f.challenges_open,
        ]

    return [
        header,
        *[row(name, f) for name, f in report.by_agency],
        row("All agencies", report.overall),
    ]


def channel_csv_rows(report: ShownReport) -> list[list[Any]]:
    """Everything received by channel, then by census referral source: a
    spreadsheet of its own, beside the agencies' one."""

    def kinds(heading: str, rows: list[ShownKindCounts]) -> list[list[Any]]:
        return [
            [heading, "Contacts", "Consultations", "Referrals", "All received"],
            *[[r.label, r.contacts, r.consultations, r.referrals, r.received] for r in rows],
        ]

    return [
        *kinds("How it came in", report.by_channel),
        [],
        *kinds("Children in Need census referral source", report.by_census_source),
    ]
