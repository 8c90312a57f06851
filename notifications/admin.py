from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest

from agencies.admin_site import ScopedAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    """The outbox, to read: a message is never added, changed or deleted here
    (resend failed ones from Messages not delivered)."""

    list_display = ["created_at", "purpose", "to_address", "status", "attempts", "sent_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_address", "referral__reference"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(referral__front_door_id__in=front_doors) | Q(
            referral__isnull=True, front_door_id__in=front_doors
        )

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
