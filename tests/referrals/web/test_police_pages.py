"""The police's own pages, what an officer may see, and the front door's
"possible crime" page (referrals.web.police)."""

from __future__ import annotations

import datetime as dt

from audit.models import Action, AuditEvent
from referrals.models import PoliceNotice
from referrals.services.police import acknowledge_for_police, mark_possible_crime
from tests.conftest import WEDNESDAY_10AM, client_for, submit
from tests.referrals.test_pathways import injured_baby


def injured(world, **kwargs):
    return submit(
        world.hv,
        now=WEDNESDAY_10AM,
        consent={
            "consent": "not_sought",
            "no_consent_basis": "risk_to_child",
            "no_consent_reason": "Mother's partner controls her phone.",
        },
        **injured_baby(),
        **kwargs,
    )


def test_an_officer_lists_what_the_police_were_told_waiting_first(world, police):
    first = injured(world)
    second = injured(world)
    acknowledge_for_police(notice=PoliceNotice.objects.get(referral=first), actor=police.officer)
    not_told = submit(world.hv, now=WEDNESDAY_10AM)
    response = client_for(police.officer).get("/police/referrals/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(second.reference) < page.index(first.reference)
    assert not_told.reference not in page
    assert "Priya Okafor" in page  # who acknowledged the first
    assert AuditEvent.objects.filter(
        actor=police.officer, action=Action.LISTED, detail__page="police"
    ).exists()


def test_another_forces_officer_sees_none_of_it(world, police):
    referral = injured(world)
    client = client_for(police.other_officer)
    assert referral.reference not in client.get("/police/referrals/").content.decode()
    assert client.get(f"/police/referrals/{referral.reference}/").status_code == 404
    assert client.post(f"/police/referrals/{referral.reference}/acknowledge/").status_code == 404
    assert AuditEvent.objects.filter(
        actor=police.other_officer, action=Action.REFUSED, object_ref=referral.reference
    ).exists()
    assert PoliceNotice.objects.get(referral=referral).acknowledge_open


def test_people_who_are_not_officers_have_no_police_list(world, police):
    for person in (world.hv, world.mash, world.manager):
        assert client_for(person).get("/police/referrals/").status_code == 403


def test_an_officer_sees_what_the_strategy_discussion_needs_and_no_more(world, police):
    referral = injured(world)
    client = client_for(police.officer)
    response = client.get(f"/police/referrals/{referral.reference}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Leo Marsh" in page and "Kirsty Marsh" in page
    assert referral.what_happened in page
    assert "Injury to a baby who is not yet mobile" in page
    assert "01632 960 111" in page  # how to reach the referrer
    # Not the family's consent details, nor the referral's own page.
    assert "controls her phone" not in page
    assert client.get(f"/referrals/{referral.reference}/").status_code == 404
    assert AuditEvent.objects.filter(
        actor=police.officer,
        action=Action.VIEWED,
        object_ref=referral.reference,
        detail__page="police",
    ).exists()


def test_an_officer_cannot_open_a_referral_the_police_were_not_told_about(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    client = client_for(police.officer)
    assert client.get(f"/police/referrals/{referral.reference}/").status_code == 404
    assert client.get("/police/referrals/FD-NOT-REAL/").status_code == 404


def test_acknowledging_shows_the_named_officer_on_the_referral_page(world, police):
    referral = injured(world)
    response = client_for(police.officer).post(
        f"/police/referrals/{referral.reference}/acknowledge/", follow=True
    )
    assert "You acknowledged" in response.content.decode()
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Acknowledged by Priya Okafor (Northbridge Police Public Protection Unit)" in page
    # The email's delivery is shown beside it.
    assert "Email to the police (ppu@police.example)" in page
    # A second press says who was first, and changes nothing.
    again = client_for(police.officer).post(
        f"/police/referrals/{referral.reference}/acknowledge/", follow=True
    )
    assert "already acknowledged by Priya Okafor" in again.content.decode()


def test_the_referral_page_says_when_the_police_are_overdue(world, police):
    referral = submit(
        world.hv, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2), **injured_baby()
    )
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not acknowledged" in page and "should have acknowledged by" in page


def test_a_possible_crime_without_a_note_shows_the_error_and_tells_nobody(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    response = client_for(world.mash).post(
        f"/referrals/{referral.reference}/tell-police/", {"note": "  "}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "govuk-error-summary" in page and "Enter what crime may have been committed" in page
    assert not PoliceNotice.objects.exists()


def test_a_possible_crime_is_told_to_the_police_and_shown_escaped(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    response = client_for(world.mash).post(
        f"/referrals/{referral.reference}/tell-police/",
        {"note": "<script>alert(1)</script> Assault"},
    )
    assert response.status_code == 302
    page = client_for(police.officer).get(f"/police/referrals/{referral.reference}/")
    text = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Assault" in text
    assert "<script>alert(1)</script>" not in text


def test_the_referrer_cannot_tell_the_police_through_the_front_doors_page(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    client = client_for(world.hv)
    assert client.get(f"/referrals/{referral.reference}/tell-police/").status_code == 403
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Tell the police about a possible crime" not in page


def test_the_front_door_sees_why_the_police_were_told(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    mark_possible_crime(referral=referral, actor=world.mash, note="Assault by the father.")
    page = client_for(world.mash).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Possible crime" in page and "Assault by the father." in page


def test_an_officer_is_sent_to_the_police_list_from_the_home_page(world, police):
    response = client_for(police.officer).get("/")
    assert response.status_code == 302 and response["Location"] == "/police/referrals/"


def test_the_referrer_sees_the_police_were_told_but_not_the_front_doors_crime_note(world, police):
    referral = submit(world.hv, now=WEDNESDAY_10AM)
    mark_possible_crime(referral=referral, actor=world.mash, note="Assault by the father.")
    page = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Possible crime" in page and "Assault by the father." not in page
