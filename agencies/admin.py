from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import Agency, Membership, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "front_door", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [TeamInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "agency", "role", "team", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["user__username", "user__email", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user"]
