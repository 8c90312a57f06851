"""The benchmark data generator makes data the portal can work with (a smoke
test at 200 referrals; the benchmarks themselves never run in the tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from bench.generator import generate, insert_breached
from referrals.escalation.sweep import escalate_overdue_referrals
from referrals.models import OPEN_STATUSES, Escalation, Referral, Status
from referrals.selectors.re_referrals import is_re_referral
from tests.conftest import sign_in

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator writes with PostgreSQL COPY"
)


@pytest.fixture
def generated(db):
    return generate(referrals=200, front_doors=2, vacuum=False)


def test_the_generator_writes_referrals_with_their_parts_and_a_few_still_open(generated):
    assert Referral.objects.count() == 200 + 2  # and one long-history referral per front door
    assert set(Referral.objects.values_list("status", flat=True)) <= set(Status.values)
    assert 5 <= Referral.objects.filter(status__in=OPEN_STATUSES).count() <= 20
    assert all(r.children.exists() and r.events.exists() for r in Referral.objects.all()[:20])


def test_nothing_is_due_at_the_moment_the_data_describes(generated):
    now = dt.datetime.fromisoformat(generated["generated_at"])
    assert escalate_overdue_referrals(now=now).count == 0


def test_the_front_doors_pages_show_the_generated_data(generated):
    people = generated["front_door"]
    long_history = generated["long_history"][str(people["id"])]
    User = get_user_model()
    for who, url in [
        ("practitioner", "/front-door/queue/"),
        ("manager", "/front-door/dashboard/"),
        ("practitioner", f"/referrals/{long_history}/"),
        ("viewer", "/reports/partnership/"),
    ]:
        client = sign_in(Client(), User.objects.get(pk=people[who]))
        assert client.get(url).status_code == 200, url


def test_a_catch_up_after_an_outage_escalates_each_breached_referral_once(generated):
    now = dt.datetime.fromisoformat(generated["generated_at"])
    before = Escalation.objects.count()
    insert_breached(30, now=now)
    assert escalate_overdue_referrals(now=now).count == 30
    assert escalate_overdue_referrals(now=now).count == 0
    assert Escalation.objects.count() == before + 30


def test_the_generator_marks_re_referrals_as_the_portal_works_them_out(generated):
    referrals = list(Referral.objects.order_by("pk"))
    assert any(referral.is_re_referral for referral in referrals)
    assert [referral.is_re_referral for referral in referrals] == [
        is_re_referral(r) for r in referrals
    ]


def test_a_child_referred_again_comes_with_the_same_mother(generated):
    from django.db.models import Count

    from referrals.models import Adult, Child

    repeated = (
        Child.objects.exclude(nhs_number="")
        .filter(position=0)
        .values("nhs_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("nhs_number", flat=True)
    )
    assert repeated, "the generator re-refers some children"
    for nhs in list(repeated)[:5]:
        referral_ids = Child.objects.filter(nhs_number=nhs, position=0).values("referral_id")
        mothers = set(
            Adult.objects.filter(referral_id__in=referral_ids, relationship="mother").values_list(
                "first_name", "last_name", "date_of_birth"
            )
        )
        assert len(mothers) == 1, mothers
