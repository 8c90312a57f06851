from __future__ import annotations

from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "to_address", "status", "attempts", "sent_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_address", "referral__reference"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
