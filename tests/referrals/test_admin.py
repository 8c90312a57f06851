"""The front door's sign-off rules in the admin: its own front door only,
with history, and the rule follows what was saved."""

from __future__ import annotations

from referrals.models import SignOffPolicy
from referrals.services.decision import decide_referral
from tests.conftest import WEDNESDAY_10AM, client_for, submit

FORM = {
    "under_one": "on",
    "pre_birth": "on",
    "re_referral": "on",
    "police_told": "on",
    "injured_baby": "on",
    # "urgent" left out: unticked.
    "sign_off_within_working_minutes": "120",
    "urgent_sign_off_within_minutes": "60",
}


def test_an_administrator_changes_their_front_doors_sign_off_rules(world):
    admin = client_for(world.admin)
    response = admin.post(
        "/admin/referrals/signoffpolicy/add/", {**FORM, "front_door": world.front_door.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SignOffPolicy.objects.get(front_door=world.front_door)
    assert policy.urgent is False and policy.history.count() == 1
    # An urgent referral about a school-age child now needs no sign-off.
    referral = submit(world.hv, now=WEDNESDAY_10AM, urgency="urgent")
    assert (
        decide_referral(
            referral=referral,
            actor=world.mash,
            decision="nfa",
            reasons="Below threshold.",
            next_steps="",
            next_steps_owner="",
        )
        is None
    )


def test_an_administrator_cannot_set_another_front_doors_rules(world):
    admin = client_for(world.admin)
    response = admin.post(
        "/admin/referrals/signoffpolicy/add/", {**FORM, "front_door": world.other_front_door.pk}
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert not SignOffPolicy.objects.exists()
