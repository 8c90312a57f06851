"""Partnership figures, checked against a hand-built month of referrals."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, AgencyKind, Role
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import Referral
from referrals.selectors.re_referrals import referred_in_year_before
from referrals.selectors.reporting import (
    Figures,
    ShownFigures,
    partnership_report,
    shown_count,
)
from referrals.services.acknowledge import acknowledge_referral
from referrals.services.challenge import answer_challenge, raise_challenge
from referrals.services.decision import decide_referral
from referrals.services.triage import record_link
from tests.conftest import client_for, make_user, submit

UTC = dt.UTC
NOV = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@pytest.fixture
def month(world):
    """Four referrals in November 2026, one in October (a re-referral source).

    - A (HV, Mon 2 Nov 10:00): acknowledged after 2h, decided after 5h: assessment.
    - B (HV, Tue 3 Nov 10:00): acknowledged after 8h (late: due 17:00), decided 30h later
      (due Wed 17:00, decided Wed 16:00: in time): early help; challenged and upheld.
    - C (GP, Wed 4 Nov 09:00): consultation, same NHS number as the October referral,
      never acknowledged: breaches both deadlines, escalated.
    - D (GP, Thu 5 Nov 10:00): pre-birth, due 10 weeks after receipt; acknowledged after 1h.
    """
    october = submit(world.gp, now=dt.datetime(2026, 10, 5, 10, 0, tzinfo=UTC))
    decide_referral(
        referral=october,
        actor=world.mash,
        decision="advice",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=dt.datetime(2026, 10, 5, 12, 0, tzinfo=UTC),
    )
    a = submit(world.hv, now=dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC), child={"nhs_number": ""})
    acknowledge_referral(
        referral=a, actor=world.mash, now=dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    )
    decide_referral(
        referral=a,
        actor=world.mash,
        decision="assessment",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=dt.datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    )
    b = submit(world.hv, now=dt.datetime(2026, 11, 3, 10, 0, tzinfo=UTC), child={"nhs_number": ""})
    acknowledge_referral(
        referral=b, actor=world.mash, now=dt.datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
    )
    decide_referral(
        referral=b,
        actor=world.mash,
        decision="early_help",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=dt.datetime(2026, 11, 4, 16, 0, tzinfo=UTC),
    )
    challenge = raise_challenge(
        referral=b, actor=world.hv, reasons="x", now=dt.datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    )
    answer_challenge(
        challenge=challenge,
        actor=world.manager,
        outcome="upheld",
        response="y",
        now=dt.datetime(2026, 11, 5, 12, 0, tzinfo=UTC),
    )
    c = submit(world.gp, kind="consultation", now=dt.datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    escalate_overdue_referrals(now=dt.datetime(2026, 11, 4, 17, 30, tzinfo=UTC))
    due = dt.date(2026, 11, 5) + dt.timedelta(weeks=10)
    d = submit(
        world.gp,
        now=dt.datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
        child={
            "born": "no",
            "date_of_birth": None,
            "expected_date_of_delivery": due.isoformat(),
            "nhs_number": "",
        },
    )
    acknowledge_referral(
        referral=d, actor=world.mash, now=dt.datetime(2026, 11, 5, 10, 30, tzinfo=UTC)
    )
    return {"a": a, "b": b, "c": c, "d": d, "october": october}


def report(world, **kwargs):
    return partnership_report(
        front_door_id=world.front_door.pk,
        front_door_name="NB",
        start=NOV[0],
        end=NOV[1],
        now=dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC),
        **kwargs,
    )


def test_every_figure_matches_the_hand_built_month(world, month):
    r = report(world)
    f = r.overall
    assert (f.referrals, f.consultations) == (3, 1)
    # Hours to acknowledge: A 2, B 8, D 0.5 (D is urgent: baby due within 12 weeks).
    assert sorted(f.hours_to_acknowledge) == [0.5, 2.0, 8.0]
    assert f.acknowledge_median == 2.0
    assert f.acknowledge_p90 == 6.8
    assert sorted(f.hours_to_decide) == [5.0, 30.0]
    # Late: B acknowledged after 17:00; C never acknowledged; D (urgent, 1h) was in time.
    assert f.acknowledgement_breaches == 2
    # Late decisions: C (never), D (urgent: due within 4h, never decided).
    assert f.decision_breaches == 2
    assert f.escalations[("not_acknowledged", 1)] == 1
    assert dict(f.outcomes) == {"assessment": 1, "early_help": 1}
    assert f.re_referrals == 1  # C: same NHS number as October
    assert f.pre_birth == 1 and f.pre_birth_median_weeks == 10.0
    assert (f.challenges_raised, f.challenges_upheld, f.challenges_changed, f.challenges_open) == (
        1,
        1,
        0,
        0,
    )
    by_agency = dict(r.by_agency)
    assert by_agency["Northbridge Health Visiting"].received == 2
    assert by_agency["Riverside GP Practice"].received == 2
    assert by_agency["Riverside GP Practice"].re_referrals == 1


def test_a_confirmed_link_counts_as_a_re_referral(world, month):
    record_link(referral=month["a"], earlier=month["october"], actor=world.mash, confirmed=True)
    assert report(world).overall.re_referrals == 2


def test_the_report_takes_the_same_number_of_queries_however_much_data(world, month):
    with CaptureQueriesContext(connection) as few:
        report(world)
    for day in range(6, 26):
        submit(world.hv, now=dt.datetime(2026, 11, day, 10, 0, tzinfo=UTC))
    with CaptureQueriesContext(connection) as many:
        report(world)
    assert len(many) == len(few)


def test_a_partnership_viewer_sees_figures_and_a_csv_but_never_a_child(world, month):
    viewer = make_user("partnership.viewer", agency=world.front_door, role=Role.PARTNERSHIP_VIEWER)
    client = client_for(viewer)
    page = client.get("/reports/partnership/?start=2026-11-01&end=2026-11-30")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Leo" not in html and "Marsh" not in html and "FD-" not in html
    assert "Child and family assessment (section 17)" in html
    assert client.get(f"/referrals/{month['a'].reference}/").status_code == 404
    assert client.get("/front-door/queue/").status_code == 403
    response = client.get("/reports/partnership/?start=2026-11-01&end=2026-11-30&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Sending agency", "Referrals", "Consultations", "Contacts"]
    assert rows[-1][:4] == ["All agencies", "fewer than 5", "fewer than 5", "0"]
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(actor=viewer, action="exported").count() == 1


@pytest.mark.parametrize("persona", ["hv", "gp", "lead_a", "mash", "outsider"])
def test_referrers_and_practitioners_do_not_see_partnership_figures(world, persona):
    assert client_for(getattr(world, persona)).get("/reports/partnership/").status_code == 403


def test_a_period_that_ends_before_it_starts_is_refused_plainly(world):
    page = client_for(world.manager).get("/reports/partnership/?start=2026-10-31&end=2026-10-01")
    assert "The end date must be the same as or after the start date" in page.content.decode()


def test_agency_names_cannot_smuggle_formulas_into_the_spreadsheet(world):
    world.agency_a.name = '=HYPERLINK("http://evil")'
    world.agency_a.save()
    submit(world.hv, now=dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    response = client_for(world.manager).get(
        "/reports/partnership/?start=2026-11-01&end=2026-11-30&format=csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=")


def test_a_confirmed_link_rejected_later_no_longer_counts(world, month):
    record_link(referral=month["a"], earlier=month["october"], actor=world.mash, confirmed=True)
    record_link(referral=month["a"], earlier=month["october"], actor=world.mash, confirmed=False)
    assert report(world).overall.re_referrals == 1


def test_a_link_to_a_referral_from_more_than_12_months_before_does_not_count(world, month):
    long_ago = submit(
        world.hv, now=dt.datetime(2025, 10, 1, 10, 0, tzinfo=UTC), child={"nhs_number": ""}
    )
    record_link(referral=month["a"], earlier=long_ago, actor=world.mash, confirmed=True)
    assert report(world).overall.re_referrals == 1


def test_a_child_referred_more_than_12_months_before_is_not_a_re_referral(world):
    submit(world.gp, now=dt.datetime(2025, 11, 3, 10, 0, tzinfo=UTC))
    submit(world.gp, now=dt.datetime(2026, 11, 4, 10, 0, tzinfo=UTC))
    assert report(world).overall.re_referrals == 0
    submit(world.hv, now=dt.datetime(2026, 11, 5, 10, 0, tzinfo=UTC))
    assert report(world).overall.re_referrals == 1


def test_a_child_referred_to_another_front_door_is_not_a_re_referral_here(world):
    school = Agency.objects.create(
        name="Southport Academy", kind=AgencyKind.SCHOOL, front_door=world.other_front_door
    )
    teacher = make_user("teacher.south", agency=school, role=Role.REFERRER)
    submit(teacher, now=dt.datetime(2026, 10, 5, 10, 0, tzinfo=UTC))
    submit(world.gp, now=dt.datetime(2026, 11, 4, 10, 0, tzinfo=UTC))
    assert report(world).overall.re_referrals == 0
    submit(world.hv, now=dt.datetime(2026, 11, 5, 10, 0, tzinfo=UTC))
    assert report(world).overall.re_referrals == 1


def test_the_year_before_a_submission_includes_its_first_moment_and_not_the_referral_itself(world):
    october = submit(world.gp, now=dt.datetime(2026, 10, 5, 10, 0, tzinfo=UTC))
    nhs_number = october.children.get().nhs_number
    here = world.front_door.pk

    def referred(*, front_door_id=here, numbers=(nhs_number,), at):
        return referred_in_year_before(
            front_door_id=front_door_id, nhs_numbers=numbers, received_at=at
        )

    assert referred(at=october.received_at + dt.timedelta(days=365))
    assert not referred(at=october.received_at + dt.timedelta(days=365, microseconds=1))
    assert not referred(at=october.received_at)
    assert referred(numbers=["", None, nhs_number], at=october.received_at + dt.timedelta(days=1))
    assert not referred(numbers=["", None], at=october.received_at + dt.timedelta(days=1))
    assert not referred(
        front_door_id=world.other_front_door.pk, at=october.received_at + dt.timedelta(days=1)
    )


def test_the_migration_marks_the_re_referrals_received_before_it(world, month):
    record_link(referral=month["a"], earlier=month["october"], actor=world.mash, confirmed=True)
    Referral.objects.update(is_re_referral=False)
    migration = importlib.import_module("referrals.migrations.0006_partnership_figures")
    migration.mark_re_referrals(apps, None)
    assert set(Referral.objects.filter(is_re_referral=True)) == {month["a"], month["c"]}
    assert report(world).overall.re_referrals == 2


def test_a_median_on_a_rounding_boundary_rounds_as_it_always_has(world):
    """Acknowledged after 22 and 368 minutes: the median is 3.25 hours, which
    statistics.median gives exactly (3.2 once rounded); PostgreSQL's
    percentile_cont would give 3.2500000000000004 (3.3)."""
    for day, minutes in ((2, 22), (3, 368)):
        referral = submit(
            world.hv, now=dt.datetime(2026, 11, day, 9, 0, tzinfo=UTC), child={"nhs_number": ""}
        )
        acknowledge_referral(
            referral=referral,
            actor=world.mash,
            now=dt.datetime(2026, 11, day, 9, 0, tzinfo=UTC) + dt.timedelta(minutes=minutes),
        )
    figures = report(world).overall
    assert figures.acknowledge_median == 3.2
    assert figures.acknowledge_p90 == 5.6
    assert dict(report(world).by_agency)["Northbridge Health Visiting"].acknowledge_median == 3.2


@pytest.mark.parametrize(
    "count, seen",
    [(0, 0), (1, "fewer than 5"), (4, "fewer than 5"), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15)],
)
def test_small_counts_are_hidden_and_the_rest_rounded_to_five(count, seen):
    assert shown_count(count) == seen


def test_one_days_referrals_from_one_agency_show_no_outcome_and_no_time(world):
    """The review's worry: a one-day, one-agency range told a partner what
    happened to one child."""
    referral = submit(world.hv, now=dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="strategy_discussion",
        reasons="r",
        next_steps="",
        next_steps_owner="",
        now=dt.datetime(2026, 11, 2, 13, 0, tzinfo=UTC),
    )
    viewer = make_user("partnership.viewer", agency=world.front_door, role=Role.PARTNERSHIP_VIEWER)
    client = client_for(viewer)
    html = client.get("/reports/partnership/?start=2026-11-02&end=2026-11-02").content.decode()
    outcome = re.search(r"Strategy discussion \(section 47\)</th><td[^>]*>([^<]*)</td>", html)
    assert outcome is not None and outcome.group(1) == "fewer than 5"
    to_decide = re.search(r"To decide</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", html)
    assert to_decide is not None and to_decide.groups() == ("-", "-")
    response = client.get("/reports/partnership/?start=2026-11-02&end=2026-11-02&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert total["Referrals"] == "fewer than 5"
    assert total["Hours to decide (median)"] == ""
    assert total["Outcome: Strategy discussion (section 47)"] == "fewer than 5"


def _figures_with(durations: int) -> Figures:
    return Figures(hours_to_acknowledge=[float(h) for h in range(1, durations + 1)])


def test_a_median_needs_five_times_and_a_90th_percentile_ten():
    assert ShownFigures.of(_figures_with(4)).acknowledge_median is None
    assert ShownFigures.of(_figures_with(5)).acknowledge_median == 3.0
    assert ShownFigures.of(_figures_with(9)).acknowledge_p90 is None
    assert ShownFigures.of(_figures_with(10)).acknowledge_p90 == 9.1
