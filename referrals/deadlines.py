"""Deadline rules: from a front door's policy and a receipt time to due times.

Pure functions (the policy is only read), so they can be tested exhaustively.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.working_days import WorkingCalendar

if TYPE_CHECKING:
    from referrals.models import DeadlinePolicy, Referral


@dataclass(frozen=True)
class Rules:
    calendar: WorkingCalendar
    acknowledge_within_working_days: int = 0
    decide_within_working_days: int = 1
    urgent_acknowledge_within: dt.timedelta = dt.timedelta(hours=1)
    urgent_decide_within: dt.timedelta = dt.timedelta(hours=4)
    senior_escalation_after: dt.timedelta = dt.timedelta(hours=2)
    strategy_discussion_within_hours: int = 24
    pre_birth_urgent_within_weeks: int = 12
    information_request_within_working_days: int = 1
    challenge_step_within_working_days: int = 2
    urgent_information_request_within: dt.timedelta = dt.timedelta(hours=4)
    urgent_challenge_within: dt.timedelta = dt.timedelta(hours=2)
    police_acknowledge_within: dt.timedelta = dt.timedelta(hours=2)
    urgent_police_acknowledge_within: dt.timedelta = dt.timedelta(hours=1)
    conference_within_working_days: int = 15


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: dt.datetime
    decide_by: dt.datetime
    senior_escalation_at: dt.datetime
    decision_senior_at: dt.datetime


def compute_deadlines(rules: Rules, *, received_at: dt.datetime, urgent: bool) -> Deadlines:
    """Deadlines for a referral received at `received_at`.

    Standard: acknowledge by the close of the receipt day (after the cut-off or
    outside working days, the next working day), decide by the close of the
    working day `decide_within_working_days` after the receipt day.
    Senior managers are told a further `senior_escalation_after` of working
    time after the acknowledgement deadline.
    Urgent: measured in clock time from the moment of receipt, day or night,
    and so is the senior escalation: a child who may suffer significant harm
    today does not wait for office hours.
    """
    cal = rules.calendar
    if urgent:
        acknowledge_by = received_at + rules.urgent_acknowledge_within
        decide_by = max(received_at + rules.urgent_decide_within, acknowledge_by)
        senior = acknowledge_by + rules.senior_escalation_after
        decision_senior = decide_by + rules.senior_escalation_after
    else:
        day = cal.receipt_day(received_at)
        acknowledge_by = cal.close_of(
            cal.add_working_days(day, rules.acknowledge_within_working_days)
        )
        decide_by = max(
            cal.close_of(cal.add_working_days(day, rules.decide_within_working_days)),
            acknowledge_by,
        )
        senior = cal.add_working_time(acknowledge_by, rules.senior_escalation_after)
        decision_senior = cal.add_working_time(decide_by, rules.senior_escalation_after)
    return Deadlines(
        acknowledge_by=acknowledge_by.astimezone(dt.UTC),
        decide_by=decide_by.astimezone(dt.UTC),
        senior_escalation_at=senior.astimezone(dt.UTC),
        decision_senior_at=decision_senior.astimezone(dt.UTC),
    )


def working_days_from(rules: Rules, start: dt.datetime, days: int) -> dt.datetime:
    """Close of the working day `days` working days after `start`'s receipt day:
    the deadline for an information request or a challenge step."""
    cal = rules.calendar
    return cal.close_of(cal.add_working_days(cal.receipt_day(start), days)).astimezone(dt.UTC)


def information_request_due(rules: Rules, *, asked_at: dt.datetime, urgent: bool) -> dt.datetime:
    """When a partner's answer is due: on an urgent referral, hours on the
    clock, day or night (a child at risk today cannot wait for the next
    working day); otherwise working days."""
    if urgent:
        return asked_at + rules.urgent_information_request_within
    return working_days_from(rules, asked_at, rules.information_request_within_working_days)


def challenge_deadlines(rules: Rules, *, raised_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A professional challenge's two steps: the front-door managers answer by
    the close of the working day `challenge_step_within_working_days` after it
    was raised; senior managers by as many working days after that."""
    cal = rules.calendar
    step_one = working_days_from(rules, raised_at, rules.challenge_step_within_working_days)
    step_two = cal.close_of(
        cal.add_working_days(
            step_one.astimezone(cal.tz).date(), rules.challenge_step_within_working_days
        )
    ).astimezone(dt.UTC)
    return step_one, step_two


def sign_off_due(
    calendar: WorkingCalendar,
    *,
    proposed_at: dt.datetime,
    urgent: bool,
    within_working: dt.timedelta,
    urgent_within: dt.timedelta,
) -> dt.datetime:
    """When a manager must have signed off a proposed decision
    (referrals.oversight): urgent, on the clock, day or night; otherwise in
    working time (proposed at 16:30 on a Friday with two working hours: due
    at 10:30 on Monday)."""
    if urgent:
        due = proposed_at + urgent_within
    else:
        due = calendar.add_working_time(proposed_at, within_working)
    return due.astimezone(dt.UTC)


def police_acknowledge_by(rules: Rules, *, notified_at: dt.datetime, urgent: bool) -> dt.datetime:
    """When an officer must have acknowledged a referral the police were told
    about. Urgent: clock time from the moment they were told, day or night.
    Otherwise working time (office hours), so a notice at 16:30 on a Friday
    is due on Monday morning, not at midnight."""
    if urgent:
        return (notified_at + rules.urgent_police_acknowledge_within).astimezone(dt.UTC)
    return rules.calendar.add_working_time(notified_at, rules.police_acknowledge_within).astimezone(
        dt.UTC
    )


def conference_due_by(rules: Rules, *, held_at: dt.datetime) -> dt.datetime:
    """The initial child protection conference: by the close of the working
    day `conference_within_working_days` after the strategy discussion's day
    (Working Together: within 15 working days)."""
    cal = rules.calendar
    day = cal.local(held_at).date()
    return cal.close_of(cal.add_working_days(day, rules.conference_within_working_days)).astimezone(
        dt.UTC
    )


def rules_from_policy(policy: DeadlinePolicy | None) -> Rules:
    """Rules from a `DeadlinePolicy` row (or the defaults when there is none)."""
    if policy is None:
        return Rules(calendar=WorkingCalendar())
    return Rules(
        calendar=policy.calendar(),
        acknowledge_within_working_days=policy.acknowledge_within_working_days,
        decide_within_working_days=policy.decide_within_working_days,
        urgent_acknowledge_within=dt.timedelta(minutes=policy.urgent_acknowledge_within_minutes),
        urgent_decide_within=dt.timedelta(minutes=policy.urgent_decide_within_minutes),
        senior_escalation_after=dt.timedelta(minutes=policy.senior_escalation_after_minutes),
        strategy_discussion_within_hours=policy.strategy_discussion_within_hours,
        pre_birth_urgent_within_weeks=policy.pre_birth_urgent_within_weeks,
        information_request_within_working_days=policy.information_request_within_working_days,
        challenge_step_within_working_days=policy.challenge_step_within_working_days,
        urgent_information_request_within=dt.timedelta(
            hours=policy.urgent_information_request_within_hours
        ),
        urgent_challenge_within=dt.timedelta(hours=policy.urgent_challenge_within_hours),
        police_acknowledge_within=dt.timedelta(
            minutes=policy.police_acknowledge_within_working_minutes
        ),
        urgent_police_acknowledge_within=dt.timedelta(
            minutes=policy.urgent_police_acknowledge_within_minutes
        ),
        conference_within_working_days=policy.conference_within_working_days,
    )


def unattended_out_of_hours(
    rules: Rules, *, received_at: dt.datetime, urgent: bool, duty_team_address: str
) -> bool:
    """An urgent referral that arrived out of office hours at a front door
    with no emergency duty team address: nobody is told until the office
    opens, so its receipt must not promise an acknowledgement within the hour."""
    return urgent and not duty_team_address and not rules.calendar.is_working_time(received_at)


def referral_unattended_out_of_hours(referral: Referral) -> bool:
    """`unattended_out_of_hours` for a stored referral (its front door's rules now)."""
    front_door = referral.front_door
    return unattended_out_of_hours(
        rules_from_policy(getattr(front_door, "deadline_policy", None)),
        received_at=referral.received_at,
        urgent=referral.urgency == "urgent",
        duty_team_address=front_door.edt_alert_email,
    )
