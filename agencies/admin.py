from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from agencies.api_keys import issue_api_key, revoke_api_key, rotate_api_key
from agencies.models import Agency, ApiClient, Membership, Team, Webhook
from agencies.webhooks import check_room_for_another, check_url, new_secret


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


@admin.register(ApiClient)
class ApiClientAdmin(SimpleHistoryAdmin):
    """Administrators issue, name, rotate and revoke agency API keys here.
    A key is shown once, in the message after issuing or rotating it."""

    list_display = ["name", "agency", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    actions = ["rotate_keys", "revoke_keys"]

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        return (
            ["agency", "name"]
            if obj is None
            else [
                "agency",
                "name",
                "key_prefix",
                "created_at",
                "last_used_at",
                "rotated_at",
                "revoked_at",
            ]
        )

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return (
            []
            if obj is None
            else ["agency", "key_prefix", "created_at", "last_used_at", "rotated_at", "revoked_at"]
        )

    def save_model(self, request: Any, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = issue_api_key(agency=obj.agency, name=obj.name, actor=request.user)
        obj.pk = client.pk
        messages.warning(
            request, f"API key for {client.name} (copy it now, it will not be shown again): {key}"
        )

    @admin.action(description="Rotate the key (the old one stops working)")
    def rotate_keys(self, request: Any, queryset: Any) -> None:
        for client in queryset.filter(revoked_at__isnull=True):
            key = rotate_api_key(client=client, actor=request.user)
            messages.warning(request, f"New key for {client.name} (copy it now): {key}")

    @admin.action(description="Revoke the key")
    def revoke_keys(self, request: Any, queryset: Any) -> None:
        for client in queryset:
            revoke_api_key(client=client, actor=request.user)
        messages.success(request, "Revoked.")


class WebhookForm(forms.ModelForm):
    # An address typed without a scheme is https: webhooks must be.
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["agency", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_url(url)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency = data.get("agency")
        if agency is not None and data.get("is_active", True):
            try:
                check_room_for_another(agency.pk, exclude=self.instance.pk)
            except ValidationError as exc:
                self.add_error(None, exc.message_dict["url"])
        return data


@admin.register(Webhook)
class WebhookAdmin(SimpleHistoryAdmin):
    """Register an agency system's endpoint. The signing secret is shown once."""

    form = WebhookForm
    list_display = ["agency", "url", "is_active", "created_at"]
    list_filter = ["agency", "is_active"]

    def save_model(self, request: Any, obj: Webhook, form: Any, change: bool) -> None:
        if not change:
            obj.secret = new_secret()
            obj.created_at = timezone.now()
            messages.warning(
                request,
                f"Signing secret for {obj.url} (copy it now, it will not be shown again): "
                f"{obj.secret}",
            )
        super().save_model(request, obj, form, change)
