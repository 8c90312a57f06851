"""Contacts and referrals counted by how they came in and by Children in
Need census referral source: live on the managers' dashboard, with small
numbers hidden in the partnership figures."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from agencies.models import Role
from audit.services import Origin
from referrals.content import validate_content
from referrals.selectors.reporting import channels_and_sources, partnership_report, shown
from referrals.services.contacts import record_contact
from referrals.services.submit import submit_referral
from referrals.services.triage import convert_to_referral
from tests.conftest import a_document, client_for, content_of, make_user
from tests.referrals.contact_documents import a_contact_document


def contact(world, **overrides):
    found, problems = validate_content(a_contact_document(**overrides), contact=True)
    assert found is not None, problems
    return found


@pytest.fixture
def today(world):
    """Two portal referrals from the health visitor, one from the GP's
    system, a phone call from a neighbour closed as information only, and a
    letter from a GP made a referral."""
    submit_referral(sender=world.hv, content=content_of(a_document()))
    submit_referral(sender=world.hv, content=content_of(a_document(kind="consultation")))
    submit_referral(sender=world.gp, content=content_of(a_document()), origin=Origin(via="api"))
    record_contact(
        recorder=world.mash,
        content=contact(
            world,
            contact={"source_type": "public", "census_source": "1B", "source_name": "Pat"},
        ),
        close_as_information_only=True,
        closing_reasons="Neighbour sharing that the family moved.",
    )
    letter = record_contact(
        recorder=world.mash, content=contact(world, contact={"channel": "letter"})
    )
    convert_to_referral(referral=letter, actor=world.mash)


def test_everything_received_is_counted_by_channel_and_kind(world, today):
    from referrals.models import Referral

    counts = channels_and_sources(Referral.objects.all())
    channel = {
        name: (c.contacts, c.consultations, c.referrals) for name, c in counts.by_channel.items()
    }
    assert channel == {
        "portal": (0, 1, 1),
        "api": (0, 0, 1),
        "phone": (1, 0, 0),
        "email": (0, 0, 0),
        "letter": (0, 0, 1),
        "in_person": (0, 0, 0),
        "public_form": (0, 0, 0),
    }


def test_everything_received_is_counted_by_census_source(world, today):
    from referrals.models import Referral

    counts = channels_and_sources(Referral.objects.all()).by_census_source
    assert (counts["3B"].consultations, counts["3B"].referrals) == (1, 1)
    assert counts["3A"].referrals == 2  # the GP's system, and the GP's letter
    assert counts["1B"].contacts == 1
    assert counts["9"].received == 0
    assert list(counts)[:2] == ["1A", "1B"]


def test_the_partnership_figures_count_contacts_apart_and_hide_small_numbers(world, today):
    date = timezone.localdate()
    report = partnership_report(
        front_door_id=world.front_door.pk, front_door_name="N", start=date, end=date
    )
    assert report.overall.contacts == 1
    assert report.overall.referrals == 3
    assert report.overall.outcomes["information_only"] == 1
    seen = shown(report)
    phone = next(row for row in seen.by_channel if row.label == "Phone call")
    assert (phone.contacts, phone.received) == ("fewer than 5", "fewer than 5")
    email = next(row for row in seen.by_channel if row.label == "Email")
    assert email.received == 0


def test_the_partnership_page_and_spreadsheet_show_channels_and_sources(world, today):
    viewer = make_user("partnership.viewer", agency=world.front_door, role=Role.PARTNERSHIP_VIEWER)
    client = client_for(viewer)
    date = timezone.localdate().isoformat()
    html = client.get(f"/reports/partnership/?start={date}&end={date}").content.decode()
    assert "By Children in Need census referral source" in html
    assert "1B: INDIVIDUAL – acquaintance (including neighbours and child minders)" in html
    assert "Pat" not in html and "FD-" not in html
    response = client.get(f"/reports/partnership/?start={date}&end={date}&format=csv-channels")
    assert "front-door-channels-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["How it came in", "Contacts", "Consultations", "Referrals", "All received"]
    assert rows[3] == ["Phone call", "fewer than 5", "0", "0", "fewer than 5"]
    assert rows[rows.index([]) + 1][:1] == ["Children in Need census referral source"]
    from audit.models import AuditEvent

    export = AuditEvent.objects.get(actor=viewer, action="exported")
    assert export.detail["table"] == "channels"


def test_the_managers_dashboard_shows_todays_exact_numbers(world, today):
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    assert 'id="today-by-channel"' in html
    start = html.index('id="today-by-channel"')
    table = html[start : html.index("</table>", start)]
    assert "Phone call" in table
    row = table[table.index("Phone call") :]
    cells = [c.split("<")[0] for c in row.split('numeric">')[1:5]]
    assert cells == ["1", "0", "0", "1"]
    assert "1B: INDIVIDUAL – acquaintance" in html


def test_the_dashboard_counts_only_its_own_front_doors_contacts(world, today):
    record_contact(recorder=world.outsider, content=contact(world))
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    start = html.index('id="today-by-channel"')
    table = html[start : html.index("</table>", start)]
    row = table[table.index("Phone call") :]
    assert [c.split("<")[0] for c in row.split('numeric">')[1:5]] == ["1", "0", "0", "1"]


def test_a_contact_received_yesterday_is_not_counted_today(world):
    yesterday = timezone.now() - dt.timedelta(days=1, hours=1)
    record_contact(recorder=world.mash, content=contact(world, received_at=yesterday))
    html = client_for(world.manager).get("/front-door/dashboard/").content.decode()
    start = html.index('id="today-by-channel"')
    table = html[start : html.index("</table>", start)]
    row = table[table.index("Phone call") :]
    assert [c.split("<")[0] for c in row.split('numeric">')[1:5]] == ["0", "0", "0", "0"]
