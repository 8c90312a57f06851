from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.models import DeadlinePolicy


def test_a_cut_off_after_the_office_closes_is_refused(world):
    policy = DeadlinePolicy.objects.get(front_door=world.front_door)
    policy.cut_off = dt.time(17, 30)
    with pytest.raises(ValidationError, match="within office hours"):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_an_office_that_closes_before_it_opens_is_refused(world):
    policy = DeadlinePolicy.objects.get(front_door=world.front_door)
    policy.office_closes = dt.time(8, 0)
    with pytest.raises(ValidationError, match="close after it opens"):
        policy.full_clean()


def test_changes_to_the_rules_are_kept_in_their_history(world):
    policy = DeadlinePolicy.objects.get(front_door=world.front_door)
    policy.decide_within_working_days = 2
    policy.save()
    assert [h.decide_within_working_days for h in policy.history.order_by("history_date")] == [1, 2]
