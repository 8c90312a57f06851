"""The transfer pages: a front door sends a referral to the child's area,
the page tells everyone where it stands, and nobody else can do it."""

from __future__ import annotations

from agencies.models import Role
from referrals.models import DeadlinePolicy, Referral, Status, Transfer
from referrals.services.acknowledge import acknowledge_referral
from tests.conftest import client_for, make_user, submit


def test_transferring_through_the_page_moves_it_and_leaves_the_sender_a_read_only_view(world):
    DeadlinePolicy.objects.create(front_door=world.other_front_door)
    referral = submit(world.hv)
    client = client_for(world.mash)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Transfer to another area" in page
    form = client.get(f"/referrals/{referral.reference}/transfer/").content.decode()
    assert "Southport Front Door" in form and "Northbridge Front Door" not in form
    done = client.post(
        f"/referrals/{referral.reference}/transfer/",
        {"to_front_door": str(world.other_front_door.pk), "reason": "Family moved to Southport."},
        follow=True,
    ).content.decode()
    assert "is now with Southport Front Door" in done
    assert "You can no longer act on it" in done
    assert "Record the decision" not in done and "Acknowledge this" not in done
    referral.refresh_from_db()
    assert referral.front_door == world.other_front_door
    south = client_for(world.outsider).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Acknowledge this referral" in south
    assert "Family moved to Southport." in south
    acknowledge_referral(referral=referral, actor=world.outsider)
    old = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Transferred to Southport Front Door" in old
    assert "now with Southport Front Door" in old
    assert "Ashworth" in old  # who transferred it, on the history it sent
    assert world.outsider.get_full_name() not in old  # not who acknowledged it since
    referrer = client_for(world.hv).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Transferred from Northbridge Front Door to Southport Front Door" in referrer
    assert "Family moved to Southport." not in referrer


def test_a_transfer_form_with_nothing_chosen_shows_errors_and_keeps_what_was_typed(world):
    referral = submit(world.hv)
    client = client_for(world.mash)
    html = client.post(
        f"/referrals/{referral.reference}/transfer/",
        {"to_front_door": "elsewhere", "reason": "Moved to Eastshire <b>last week</b>."},
    ).content.decode()
    assert "<title>Error: Transfer this referral - Front Door</title>" in html
    assert "Enter the local authority you sent it to" in html
    assert "Select how you sent it" in html
    assert "Moved to Eastshire &lt;b&gt;last week&lt;/b&gt;." in html
    assert Transfer.objects.count() == 0


def test_a_transfer_elsewhere_waits_on_the_page_until_its_receipt_is_recorded(world):
    referral = submit(world.hv)
    client = client_for(world.mash)
    client.post(
        f"/referrals/{referral.reference}/transfer/",
        {
            "to_front_door": "elsewhere",
            "to_authority": "Eastshire County Council",
            "method": "secure_email",
            "sent_to": "Eastshire MASH",
            "reason": "Moved.",
        },
    )
    referral.refresh_from_db()
    assert referral.status == Status.TRANSFERRED
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Nobody has recorded that they have it" in page
    assert "Transferred to another local authority" in page
    sent = Transfer.objects.get()
    empty = client.post(f"/referrals/{referral.reference}/transfers/{sent.pk}/confirm/", {})
    assert "Enter who confirmed they have the referral" in empty.content.decode()
    client.post(
        f"/referrals/{referral.reference}/transfers/{sent.pk}/confirm/",
        {"confirmation": "A. Khan, by phone"},
    )
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Nobody has recorded" not in page and "A. Khan, by phone" in page
    again = client.get(f"/referrals/{referral.reference}/transfers/{sent.pk}/confirm/")
    assert again.status_code == 404


def test_only_the_holding_front_doors_workers_may_open_the_transfer_page(world):
    referral = submit(world.hv)
    assert client_for(world.hv).get(f"/referrals/{referral.reference}/transfer/").status_code == 403
    assert (
        client_for(world.outsider).get(f"/referrals/{referral.reference}/transfer/").status_code
        == 404
    )
    admin_only = make_user("admin.two", agency=world.front_door, role=Role.ADMINISTRATOR)
    assert (
        client_for(admin_only).get(f"/referrals/{referral.reference}/transfer/").status_code == 403
    )
    assert Referral.objects.get().front_door == world.front_door
