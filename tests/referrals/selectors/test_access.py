"""Who may see a referral and what each person may do with it: one answer,
read by the pages, the API and the services alike."""

from __future__ import annotations

import pytest
from django.http import Http404

from agencies.models import Membership
from audit.models import AuditEvent
from referrals.models import Challenge
from referrals.selectors.access import get_referral_for_user, permissions_for, referrals_visible_to
from tests.conftest import submit

# persona -> (front-door staff, can act, can link history, answers a challenge,
#             answers an escalated challenge, referrer's side, administrator)
EXPECTED = {
    "hv": (False, False, False, False, False, True, False),
    "lead_a": (False, False, False, False, False, True, False),
    "gp": (False, False, False, False, False, False, False),
    "mash": (True, True, True, False, False, False, False),
    "manager": (True, True, True, True, False, False, False),
    "senior": (True, False, True, True, True, False, False),
    "admin": (True, False, False, False, False, False, True),
    "outsider": (False, False, False, False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_gets_exactly_its_powers_over_a_referral(world, persona):
    referral = submit(world.hv)
    may = permissions_for(getattr(world, persona), referral)
    assert (
        may.front_door_staff,
        may.can_act,
        may.can_link_history,
        may.can_answer_challenge,
        may.can_answer_escalated_challenge,
        may.referrer_side,
        may.administrator,
    ) == EXPECTED[persona]


@pytest.mark.parametrize(
    ("persona", "level", "answers"),
    [
        ("manager", 0, True),
        ("senior", 0, True),
        ("manager", 1, False),
        ("senior", 1, True),
        ("mash", 0, False),
    ],
)
def test_once_escalated_only_senior_managers_answer_a_challenge(world, persona, level, answers):
    referral = submit(world.hv)
    challenge = Challenge(referral=referral, escalation_level=level)
    assert permissions_for(getattr(world, persona), referral).may_answer(challenge) is answers


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("hv", True),
        ("lead_a", True),
        ("gp", False),
        ("mash", True),
        ("manager", True),
        ("senior", True),
        ("admin", True),
        ("outsider", False),
    ],
)
def test_who_sees_a_referral(world, persona, sees):
    referral = submit(world.hv)
    assert referrals_visible_to(getattr(world, persona)).filter(pk=referral.pk).exists() is sees


def test_the_front_door_rule_alone_leaves_out_what_a_person_sent(world):
    referral = submit(world.hv)
    assert not referrals_visible_to(world.hv, front_door_only=True).exists()
    assert list(referrals_visible_to(world.mash, front_door_only=True)) == [referral]


def test_a_person_who_left_the_front_door_loses_its_powers(world):
    referral = submit(world.hv)
    Membership.objects.filter(user=world.mash).update(is_active=False)
    world.mash.refresh_from_db()
    assert permissions_for(world.mash, referral).can_act is False


def test_not_yours_and_missing_are_the_same_not_found_and_the_attempt_is_audited(world):
    referral = submit(world.hv)
    with pytest.raises(Http404) as not_yours:
        get_referral_for_user(world.gp, referral.reference)
    with pytest.raises(Http404) as missing:
        get_referral_for_user(world.gp, "FD-0000-0000")
    assert str(not_yours.value) == str(missing.value)
    refusal = AuditEvent.objects.get(action="refused", object_ref=referral.reference)
    assert refusal.actor == world.gp


def test_a_referrer_who_has_left_no_longer_sees_or_challenges_what_they_sent(world):
    from tests.conftest import decided

    referral = decided(world)
    Membership.objects.filter(user=world.hv).update(is_active=False)
    leaver = type(world.hv).objects.get(pk=world.hv.pk)  # a new request: access read afresh
    assert not referrals_visible_to(leaver).filter(pk=referral.pk).exists()
    assert permissions_for(leaver, referral).referrer_side is False
    with pytest.raises(Http404):
        get_referral_for_user(leaver, referral.reference)


def test_a_referrer_who_moved_to_another_agency_leaves_the_old_agencys_referrals_behind(world):
    from agencies.models import Role

    referral = submit(world.hv)
    Membership.objects.filter(user=world.hv).update(is_active=False)
    Membership.objects.create(user=world.hv, agency=world.agency_b, role=Role.REFERRER)
    mover = type(world.hv).objects.get(pk=world.hv.pk)
    assert not referrals_visible_to(mover).filter(pk=referral.pk).exists()
    # The old agency's safeguarding lead still sees it.
    assert referrals_visible_to(world.lead_a).filter(pk=referral.pk).exists()
