from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from agencies.admin_site import ScopedAdmin
from audit.models import Action
from audit.services import Origin, record_event
from privacy.models import DestructionRecord, RetentionHold, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(ScopedAdmin):
    """The deployment's retention schedule: for its superuser (every front
    door keeps records under it), changes audited."""

    list_display = ("record_type", "decision", "keep_for_days", "is_active", "updated_at")
    list_filter = ("record_type", "is_active")


@admin.register(RetentionHold)
class RetentionHoldAdmin(ScopedAdmin):
    list_display = ("referral", "placed_by", "placed_at", "lifted_at")
    raw_id_fields = ("referral",)
    readonly_fields = ("placed_by", "placed_at")

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(referral__front_door_id__in=front_doors)

    def save_model(self, request: Any, obj: RetentionHold, form: Any, change: bool) -> None:
        if not change:
            obj.placed_by = request.user
            obj.placed_at = timezone.now()
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action=Action.RETENTION_HOLD,
            object_type="referral",
            object_ref=obj.referral.reference,
            origin=Origin.of(request),
            detail={"lifted": obj.lifted_at is not None},
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # lift a hold instead: the record of it stays


@admin.register(DestructionRecord)
class DestructionRecordAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "received_on", "decided_on", "rule", "destroyed_at")
    search_fields = ("reference",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
