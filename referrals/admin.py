from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from referrals.models import DeadlinePolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["front_door", "office_opens", "office_closes", "cut_off", "bank_holiday_region"]
