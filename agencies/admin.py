"""A front door's agencies, teams, memberships, API keys and webhook
endpoints, for its administrators (see agencies.admin_site)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_site import (
    ScopedAdmin,
    ScopedInline,
    administered_front_doors,
    agencies_of,
    is_deployment_superuser,
)
from agencies.api_keys import issue_api_key, revoke_api_key, rotate_api_key
from agencies.models import (
    Agency,
    AgencyKind,
    ApiClient,
    CoverageSource,
    CoveredPostcode,
    Membership,
    OnCallShift,
    Team,
    Webhook,
)
from agencies.webhooks import check_room_for_another, check_url, new_secret
from core.postcodes import normalise_coverage


def of_agencies_in(front_doors: frozenset[int], prefix: str = "agency__") -> Q:
    """Rows whose agency belongs to these front doors."""
    return Q(**{f"{prefix}pk__in": front_doors}) | Q(**{f"{prefix}front_door_id__in": front_doors})


class TeamInline(ScopedInline):
    model = Team


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "kind",
            "front_door",
            "alert_email",
            "edt_alert_email",
            "police_alert_email",
            "phone",
            "opening_hours",
            "out_of_hours_phone",
            "local_authority_code",
            "serves_many_areas",
            "supervisor_email",
            "is_active",
        ]

    def __init__(self, *args: Any, administrator_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.administrator_only = administrator_only
        if administrator_only and not (self.instance.pk and self.instance.is_front_door):
            # A front door's administrator adds partner agencies to their own
            # front door; a new front door is the deployment's to create.
            kind = self.fields["kind"]
            if isinstance(kind, forms.ChoiceField):
                kind.choices = [
                    choice for choice in AgencyKind.choices if choice[0] != AgencyKind.FRONT_DOOR
                ]
            self.fields["front_door"].required = True

    def clean_front_door(self) -> Agency | None:
        front_door: Agency | None = self.cleaned_data.get("front_door")
        if self.instance.pk and self.instance.is_front_door:
            return front_door
        if self.administrator_only and front_door is None:
            raise ValidationError("Choose the front door this agency sends its referrals to")
        return front_door


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin, SimpleHistoryAdmin):
    form = AgencyForm
    list_display = ["name", "kind", "front_door", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [TeamInline]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return agencies_of(front_doors)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_front_door and not is_deployment_superuser(request.user):
            # Which area a front door serves decides where other front doors'
            # referrals go: the deployment's to set.
            return ["kind", "front_door", "local_authority_code"]
        return []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        administrator_only = not is_deployment_superuser(request.user)

        class Scoped(form):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, administrator_only=administrator_only, **inner)

        return Scoped

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "front_door" and not is_deployment_superuser(request.user):
            kwargs["queryset"] = Agency.objects.filter(
                pk__in=administered_front_doors(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["user", "agency", "role", "team", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__email", "agency__name"]
    raw_id_fields = ["user"]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return of_agencies_in(front_doors)


@admin.register(OnCallShift)
class OnCallShiftAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """The on-call rota: who carries the phone that urgent alerts are texted
    to, and when. Shifts are kept (not deleted) as the record of who was on
    call; a mistake is put right by changing the shift, which its history
    keeps."""

    list_display = ["role", "name", "phone", "starts_at", "ends_at", "front_door"]
    list_filter = ["role"]
    search_fields = ["name", "phone"]
    date_hierarchy = "starts_at"

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(front_door_id__in=front_doors)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "front_door" and field is not None:
            field.queryset = field.queryset.filter(kind=AgencyKind.FRONT_DOOR)
        return field


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Administrators issue, name, rotate and revoke agency API keys here.
    A key is shown once, in the message after issuing or rotating it."""

    list_display = ["name", "agency", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["agency"]
    actions = ["rotate_keys", "revoke_keys"]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return of_agencies_in(front_doors)

    def get_fields(self, request: Any, obj: Any = None) -> Any:
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
class WebhookAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Register an agency system's endpoint. The signing secret is shown once."""

    form = WebhookForm
    list_display = ["agency", "url", "is_active", "created_at"]
    list_filter = ["agency", "is_active"]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return of_agencies_in(front_doors)

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


class CoveredPostcodeForm(forms.ModelForm):
    class Meta:
        model = CoveredPostcode
        fields = ["front_door", "postcode"]

    def clean_postcode(self) -> str:
        value = normalise_coverage(self.cleaned_data["postcode"])
        if value is None:
            raise ValidationError(
                'Enter a postcode district like "NB1", a sector like "NB1 2" or a full '
                'postcode like "NB1 2AB"'
            )
        if CoveredPostcode.objects.filter(postcode=value).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"{value} is already covered by another entry: change that one instead"
            )
        return value


@admin.register(CoveredPostcode)
class CoveredPostcodeAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """The postcodes each front door covers: the most specific entry decides
    where a child's referral goes. A front door's administrators see their
    own; only the deployment changes them, since moving a postcode moves
    referrals from one local authority to another."""

    form = CoveredPostcodeForm
    list_display = ["postcode", "front_door", "source"]
    list_filter = ["front_door", "source"]
    search_fields = ["postcode"]

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return Q(front_door_id__in=front_doors)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_deployment_superuser(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_deployment_superuser(request.user)

    def save_model(self, request: Any, obj: CoveredPostcode, form: Any, change: bool) -> None:
        # Typed in the admin: a deliberate entry that imports leave alone.
        obj.source = CoverageSource.ADMIN
        super().save_model(request, obj, form, change)
