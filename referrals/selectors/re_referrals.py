"""Re-referrals: a child referred again to the same front door within 12
months. Worked out when a referral is submitted (`referred_in_year_before`)
and again when a worker records a link (`is_re_referral`), and kept on the
referral, so the partnership figures count a column instead of searching
every child's earlier referrals.

A future edit of a child's NHS number must ask `is_re_referral` again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from referrals.models import Child, LinkStatus, Referral, ReferralLink

RE_REFERRAL_WINDOW = dt.timedelta(days=365)


def _received_in_year_before(received_at: dt.datetime) -> QuerySet[Referral]:
    return Referral.objects.filter(
        received_at__gte=received_at - RE_REFERRAL_WINDOW, received_at__lt=received_at
    )


def referred_in_year_before(
    *, front_door_id: int, nhs_numbers: Iterable[str | None], received_at: dt.datetime
) -> bool:
    """Whether a child with one of these NHS numbers was in a referral this
    front door received in the 12 months before `received_at`.

    Asked while a referral is submitted, before its children are saved; the
    answer is kept as its `is_re_referral`. One query, answered from the
    child_nhs_number index.
    """
    numbers = sorted({number for number in nhs_numbers if number})
    if not numbers:
        return False
    return (
        _received_in_year_before(received_at)
        .filter(front_door_id=front_door_id, children__nhs_number__in=numbers)
        .exists()
    )


def is_re_referral(referral: Referral) -> bool:
    """Whether a saved referral is a re-referral: a child in it (by NHS
    number) was referred to the same front door in the 12 months before, or
    a worker confirmed a link to an earlier referral from those 12 months.
    Asked again each time a link is recorded, so a link confirmed and later
    rejected stops counting."""
    earlier = _received_in_year_before(referral.received_at)
    numbers = (
        Child.objects.filter(referral_id=referral.pk).exclude(nhs_number="").values("nhs_number")
    )
    if earlier.filter(
        front_door_id=referral.front_door_id, children__nhs_number__in=numbers
    ).exists():
        return True
    confirmed = ReferralLink.objects.filter(referral_id=referral.pk, status=LinkStatus.CONFIRMED)
    return earlier.filter(pk__in=confirmed.values("earlier_id")).exists()
