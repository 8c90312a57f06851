"""Monthly decision audits: a manager draws a random sample of last month's
decisions and records a finding on each (Plymouth: "monthly referral
audits"); the service, the pages and who may use them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from referrals.models import DecisionAudit, DecisionAuditItem
from referrals.services.common import NotAllowedNow
from referrals.services.decision import decide_referral
from referrals.services.oversight import draw_decision_sample, last_month, record_audit_finding
from tests.conftest import client_for, submit

# Drawn on 2 December: the month audited is November.
DRAWN_AT = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def decided_on(world, when):
    referral = submit(world.hv, now=when)
    decide_referral(
        referral=referral,
        actor=world.mash,
        decision="assessment",
        reasons="Unexplained marks.",
        next_steps="",
        next_steps_owner="",
        now=when + dt.timedelta(hours=1),
    )
    return referral


def test_last_month_is_the_calendar_month_before(world):
    month, start, end = last_month(DRAWN_AT)
    assert month == dt.date(2026, 11, 1)
    assert (start.date(), end.date()) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert last_month(dt.datetime(2027, 1, 15, tzinfo=dt.UTC))[0] == dt.date(2026, 12, 1)


def test_a_sample_is_drawn_only_from_last_months_decisions_at_the_front_door(world):
    in_month = [decided_on(world, dt.datetime(2026, 11, d, 10, tzinfo=dt.UTC)) for d in (2, 16, 30)]
    decided_on(world, dt.datetime(2026, 10, 30, 10, tzinfo=dt.UTC))  # the month before
    decided_on(world, dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))  # this month
    audit = draw_decision_sample(
        actor=world.manager,
        front_door_id=world.front_door.pk,
        size=2,
        now=DRAWN_AT,
        rng=random.Random(4),
    )
    sampled = {i.referral_id for i in audit.items.all()}
    assert len(sampled) == 2 and sampled <= {r.pk for r in in_month}
    assert audit.decided_in_month == 3 and audit.month == dt.date(2026, 11, 1)
    assert AuditEvent.objects.filter(action="decisions_sampled", actor=world.manager).exists()


def test_a_sample_larger_than_the_month_takes_every_decision(world):
    decided_on(world, dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC))
    audit = draw_decision_sample(
        actor=world.manager, front_door_id=world.front_door.pk, size=10, now=DRAWN_AT
    )
    assert audit.items.count() == 1


def test_a_month_without_decisions_says_so(world):
    with pytest.raises(NotAllowedNow, match="No decisions were made in November 2026"):
        draw_decision_sample(
            actor=world.manager, front_door_id=world.front_door.pk, size=5, now=DRAWN_AT
        )


@pytest.mark.parametrize("size", [0, 51])
def test_the_sample_size_is_from_one_to_fifty(world, size):
    with pytest.raises(ValidationError):
        draw_decision_sample(
            actor=world.manager, front_door_id=world.front_door.pk, size=size, now=DRAWN_AT
        )


@pytest.mark.parametrize("persona", ["mash", "hv", "admin", "outsider"])
def test_only_the_front_doors_managers_audit(world, persona):
    with pytest.raises(PermissionDenied):
        draw_decision_sample(
            actor=getattr(world, persona), front_door_id=world.front_door.pk, size=5, now=DRAWN_AT
        )


def test_a_finding_short_of_good_needs_notes_and_keeps_its_history(world):
    decided_on(world, dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC))
    audit = draw_decision_sample(
        actor=world.manager, front_door_id=world.front_door.pk, size=1, now=DRAWN_AT
    )
    item = audit.items.get()
    with pytest.raises(ValidationError):
        record_audit_finding(item=item, actor=world.manager, finding="inadequate", notes=" ")
    record_audit_finding(item=item, actor=world.manager, finding="good", notes="")
    record_audit_finding(
        item=item, actor=world.senior, finding="requires_improvement", notes="Father not seen."
    )
    item.refresh_from_db()
    assert (item.finding, item.recorded_by) == ("requires_improvement", world.senior)
    assert item.history.count() == 3
    assert (
        AuditEvent.objects.filter(
            action="audit_finding", object_ref=item.referral.reference
        ).count()
        == 2
    )


def test_a_manager_draws_a_sample_and_records_findings_through_the_pages(world):
    _, start, _ = last_month(timezone.now())
    referral = decided_on(world, start + dt.timedelta(days=9, hours=10))
    client = client_for(world.manager)
    # Bad input: a GOV.UK error, what was typed kept.
    html = client.post("/front-door/decision-audits/", {"size": "lots"}).content.decode()
    assert "<title>Error: Decision audits - Front Door</title>" in html
    assert "Enter how many decisions to audit as a number, like 10" in html
    assert 'value="lots"' in html
    response = client.post("/front-door/decision-audits/", {"size": "5"}, follow=True)
    page = response.content.decode()
    assert "1 decision chosen at random for you to audit" in page
    assert referral.reference in page and "Not yet" in page
    audit = DecisionAudit.objects.get()
    item = audit.items.get()
    url = f"/front-door/decision-audits/{audit.pk}/decisions/{item.pk}/"
    html = client.post(url, {"finding": "inadequate", "notes": ""}).content.decode()
    assert 'href="#id_notes">Enter what fell short</a>' in html
    response = client.post(
        url, {"finding": "inadequate", "notes": "Bruising not explored."}, follow=True
    )
    assert "Finding recorded" in response.content.decode()
    assert "Inadequate" in response.content.decode()
    assert DecisionAuditItem.objects.get(pk=item.pk).finding == "inadequate"
    listing = client.get("/front-door/decision-audits/").content.decode()
    assert "1 of 1" in listing


def test_a_month_without_decisions_is_said_on_the_page(world):
    html = client_for(world.manager).post("/front-door/decision-audits/", {"size": "5"})
    assert "No decisions were made in" in html.content.decode()
    assert not DecisionAudit.objects.exists()


def test_another_front_door_cannot_open_our_audits(world):
    decided_on(world, dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC))
    audit = draw_decision_sample(
        actor=world.manager, front_door_id=world.front_door.pk, size=5, now=DRAWN_AT
    )
    item = audit.items.get()
    from agencies.models import Role
    from tests.conftest import make_user

    other = make_user("other.manager", agency=world.other_front_door, role=Role.MANAGER)
    assert client_for(other).get(f"/front-door/decision-audits/{audit.pk}/").status_code == 404
    url = f"/front-door/decision-audits/{audit.pk}/decisions/{item.pk}/"
    assert client_for(other).post(url, {"finding": "good"}).status_code == 404
    assert client_for(world.mash).get("/front-door/decision-audits/").status_code == 403
    assert DecisionAudit.objects.count() == 1
