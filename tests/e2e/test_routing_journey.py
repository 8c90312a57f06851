"""Areas and transfers, in Chromium: the ambulance service sends two
referrals about children in two front doors' areas and each lands at the
right front door; one front door transfers a third to the other, whose
deadlines start then."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency, AgencyKind, CoveredPostcode, Role
from referrals.models import DeadlinePolicy, Draft, Referral
from tests.conftest import a_document, make_user, submit
from tests.e2e.conftest import PASSWORD, assert_accessible, shot, sign_in, sign_out


def _draft(author, postcode: str, first: str) -> Draft:
    now = timezone.now()
    document = a_document(child={"postcode": postcode, "first_name": first, "nhs_number": ""})
    return Draft.objects.create(author=author, data=document, created_at=now, updated_at=now)


def test_the_ambulance_service_sends_to_two_areas_and_a_front_door_transfers_one(people, new_page):
    south = people.other_front_door
    DeadlinePolicy.objects.create(front_door=south)
    CoveredPostcode.objects.create(front_door=people.front_door, postcode="NB1")
    CoveredPostcode.objects.create(front_door=south, postcode="SP4")
    ambulance = Agency.objects.create(
        name="Coastal Ambulance Service",
        kind=AgencyKind.AMBULANCE,
        front_door=people.front_door,
        serves_many_areas=True,
    )
    paramedic = make_user("para.medic", agency=ambulance, role=Role.REFERRER)
    south_worker = people.outsider  # a practitioner at Southport
    for user in (paramedic, south_worker):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])

    # The paramedic sends two referrals, from two call-outs.
    page = new_page()
    sign_in(page, paramedic.username)
    sent = {}
    for first, postcode, door in (
        ("Ava", "NB1 4QT", "Northbridge Front Door"),
        ("Ben", "SP4 2AB", "Southport Front Door"),
    ):
        draft = _draft(paramedic, postcode, first)
        page.goto(f"/referrals/drafts/{draft.pk}/check/")
        where = page.locator("dl", has=page.get_by_text(door, exact=True))
        expect(where).to_contain_text(f"{first} Marsh")
        shot(page, f"60-where-it-goes-{first.lower()}")
        assert_accessible(page, "check your answers with where it goes")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("sent")
        sent[first] = Referral.objects.get(children__first_name=first)
    assert sent["Ava"].front_door == people.front_door
    assert sent["Ben"].front_door == south
    sign_out(page)

    # Each lands in the right queue, and only there.
    sign_in(page, south_worker.username)
    queue = page.locator("tbody")
    expect(queue).to_contain_text(sent["Ben"].reference)
    expect(queue).not_to_contain_text(sent["Ava"].reference)
    sign_out(page)
    sign_in(page, people.mash.username)
    expect(page.locator("tbody")).to_contain_text(sent["Ava"].reference)
    expect(page.locator("tbody")).not_to_contain_text(sent["Ben"].reference)

    # Northbridge transfers a third: the family moved to Southport.
    third = submit(people.hv, now=timezone.now() - dt.timedelta(days=2))
    page.goto(f"/referrals/{third.reference}/")
    page.get_by_role("link", name="Transfer to another area").click()
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select where the referral should go"
    )
    assert_accessible(page, "transfer page with errors")
    page.get_by_label("Southport Front Door").check()
    page.get_by_label("Why are you transferring it?").fill("The family moved to Southport.")
    shot(page, "61-transfer")
    transferred_at = timezone.now()
    page.get_by_role("button", name="Transfer").click()
    expect(page.get_by_text("You can no longer act on it")).to_be_visible()
    expect(page.get_by_role("link", name="Record the decision")).to_have_count(0)
    shot(page, "62-sent-away")
    assert_accessible(page, "a referral the front door transferred away")
    sign_out(page)

    # Southport has it, with deadlines that started at the transfer.
    third.refresh_from_db()
    assert third.front_door == south
    assert third.acknowledge_by > transferred_at
    sign_in(page, south_worker.username)
    expect(page.locator("tbody")).to_contain_text(third.reference)
    page.get_by_role("link", name=third.reference).click()
    expect(page.get_by_text("Transferred from Northbridge Front Door to Southport")).to_be_visible()
    expect(page.get_by_text("The family moved to Southport.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge this referral")).to_be_visible()
    shot(page, "63-received-by-transfer")
    assert_accessible(page, "a referral received by transfer")
