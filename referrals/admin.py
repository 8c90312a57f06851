from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_site import ScopedAdmin
from referrals.models import DeadlinePolicy, SignOffPolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["front_door", "office_opens", "office_closes", "cut_off", "bank_holiday_region"]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(front_door_id__in=front_doors)

    def has_add_permission(self, request: object, *args: object) -> bool:
        # One policy per front door, made with it: changed, not added.
        return bool(getattr(request, "user", None) and request.user.is_superuser)  # type: ignore[attr-defined]


@admin.register(SignOffPolicy)
class SignOffPolicyAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Which referrals count as high-risk, so that a closing decision on them
    needs a manager's sign-off (referrals.oversight). A front door without a
    row uses every criterion; its administrators add one to change that."""

    list_display = [
        "front_door",
        "injured_baby",
        "under_one",
        "pre_birth",
        "re_referral",
        "police_told",
        "urgent",
    ]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(front_door_id__in=front_doors)
