"""People, for a front door's administrators: add a person with their first
membership, change their name, email or password, switch them off, or make
them set up their second factor again. Never a superuser, a permission or an
authenticator key (the device admins are not shown at all)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import (
    WebAuthnAttestation,
    WebAuthnCredential,
    WebAuthnUserHandle,
)

from accounts.services import reset_second_factor
from agencies.admin import of_agencies_in
from agencies.admin_site import (
    ScopedAdmin,
    ScopedInline,
    administered_front_doors,
    agencies_of,
    is_deployment_superuser,
)
from agencies.models import Agency, Membership, Team
from audit.services import Origin

User = get_user_model()

# Authenticator keys are secrets: never listed or shown. (Personal API tokens
# are kept as hashes and have no admin.) Passkeys hold only public keys, but
# go the same way: an administrator resets a person's second factors as a
# whole (the action below), never one device.
for secret_model in (
    TOTPDevice,
    StaticDevice,
    WebAuthnCredential,
    WebAuthnAttestation,
    WebAuthnUserHandle,
):
    if admin.site.is_registered(secret_model):
        admin.site.unregister(secret_model)
admin.site.unregister(User)


class MembershipInline(ScopedInline):
    model = Membership
    fk_name = "user"
    fields = ["agency", "role", "team", "job_title", "phone", "is_active"]
    min_num = 1

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Team and not is_deployment_superuser(request.user):
            front_doors = administered_front_doors(request.user)
            kwargs["queryset"] = Team.objects.filter(
                agency__in=Agency.objects.filter(agencies_of(front_doors))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class PersonAdmin(ScopedAdmin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active"]
    actions = ["make_them_set_up_their_second_factor_again"]
    administrator_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Name and email", {"fields": ("first_name", "last_name", "email")}),
        ("Signing in", {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def in_front_doors(self, front_doors: frozenset[int]) -> Q:
        return of_agencies_in(front_doors, prefix="memberships__agency__")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or is_deployment_superuser(request.user):
            return super().get_fieldsets(request, obj)
        return self.administrator_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["last_login", "date_joined"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A person who also works for another front door, or a superuser, is
        not this front door's to change: their password or email would open
        the other's records."""
        if obj is None or is_deployment_superuser(request.user):
            return super().has_change_permission(request, obj)
        if obj.is_superuser or not super().has_change_permission(request, obj):
            return False
        elsewhere = Membership.objects.filter(user=obj, is_active=True).exclude(
            of_agencies_in(administered_front_doors(request.user), prefix="agency__")
        )
        return not elsewhere.exists()

    @admin.action(description="Make them set up their second factor again")
    def make_them_set_up_their_second_factor_again(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:
        done = 0
        with transaction.atomic():
            for person in queryset:
                if self.has_change_permission(request, person):
                    reset_second_factor(
                        person=person, actor=request.user, origin=Origin.of(request, via="admin")
                    )
                    done += 1
        messages.success(
            request,
            f"{done} {'person' if done == 1 else 'people'} will set up their authenticator app "
            "at their next sign-in.",
        )
