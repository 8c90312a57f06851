"""People, for a front door's administrators: add a person with their first
membership, change their name, email or password, switch them off, or make
them set up their second factor again. Never a superuser, a permission or an
authenticator key (the device admins are not shown at all).

Single sign-on, for the deployment's superuser: an agency's provider, Front
Door's registration with it (the client secret is written, never read back),
how people are recognised, and whether the provider's two-factor sign-in is
accepted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import (
    WebAuthnAttestation,
    WebAuthnCredential,
    WebAuthnUserHandle,
)
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import SingleSignOn, SingleSignOnIdentity
from accounts.oidc import check_issuer
from accounts.services import reset_second_factor, withdraw_provider_second_factor
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


# Changing any of these means what a provider vouched for before no longer
# holds: sessions verified by it are asked for a Front Door code instead.
TRUST_FIELDS = frozenset({"issuer", "client_id", "accept_provider_mfa", "mfa_methods", "is_active"})


class SingleSignOnForm(forms.ModelForm):
    issuer = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=SingleSignOn._meta.get_field("issuer").help_text,
    )
    client_secret = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Never shown again after saving. Leave blank to keep the saved secret.",
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "agency",
            "provider_name",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "identify_by",
            "email_domains",
            "accept_email_without_verified_claim",
            "accept_provider_mfa",
            "mfa_methods",
            "contact",
            "is_active",
        ]

    def clean_issuer(self) -> str:
        issuer: str = self.cleaned_data["issuer"]
        try:
            check_issuer(issuer)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return issuer

    def clean_scopes(self) -> str:
        scopes: list[str] = self.cleaned_data["scopes"].split()
        if "openid" not in scopes:
            raise ValidationError("The scopes must include openid")
        return " ".join(scopes)

    def clean_email_domains(self) -> str:
        domains = [
            item.strip().lower().lstrip("@")
            for item in self.cleaned_data["email_domains"].replace(",", "\n").split()
        ]
        wrong = [d for d in domains if "@" in d or "." not in d or "/" in d]
        if wrong:
            raise ValidationError(
                f"Enter domains only, like northbridge.gov.uk, not {', '.join(wrong)}"
            )
        if not domains:
            raise ValidationError("Enter the email domains this agency's staff use")
        return "\n".join(dict.fromkeys(domains))

    def clean_client_secret(self) -> str:
        secret: str = self.cleaned_data["client_secret"]
        if secret:
            return secret
        if self.instance.pk is None:
            raise ValidationError("Enter the client secret the provider gave you")
        saved: str = self.instance.client_secret
        return saved

    def save(self, commit: bool = True) -> Any:
        # Not a model field: the model keeps it encrypted.
        self.instance.client_secret = self.cleaned_data["client_secret"]
        return super().save(commit)


class SingleSignOnIdentityInline(ScopedInline):
    model = SingleSignOnIdentity
    raw_id_fields = ["user"]
    verbose_name_plural = (
        "People recognised by their subject identifier (when recognising people by sub)"
    )


@admin.register(SingleSignOn)
class SingleSignOnAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """The deployment's superuser only (in_front_doors is None): a provider
    decides who signs in as an agency's staff, and a person who also works
    for another front door would be opened to both."""

    form = SingleSignOnForm
    list_display = ["agency", "provider_name", "identify_by", "accept_provider_mfa", "is_active"]
    list_filter = ["is_active", "identify_by", "accept_provider_mfa"]
    search_fields = ["agency__name", "provider_name", "email_domains"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["redirect_uri"]
    inlines = [SingleSignOnIdentityInline]
    fieldsets = [
        (None, {"fields": ["agency", "provider_name", "is_active"]}),
        (
            "The provider",
            {"fields": ["issuer", "client_id", "client_secret", "scopes", "redirect_uri"]},
        ),
        (
            "Who may sign in",
            {
                "fields": [
                    "identify_by",
                    "email_domains",
                    "accept_email_without_verified_claim",
                    "contact",
                ]
            },
        ),
        ("Second factor", {"fields": ["accept_provider_mfa", "mfa_methods"]}),
    ]

    @admin.display(description="Redirect URI to register with the provider")
    def redirect_uri(self, obj: SingleSignOn | None) -> str:
        return settings.PORTAL_BASE_URL + reverse("single-sign-on-callback")

    def save_model(self, request: Any, obj: SingleSignOn, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and TRUST_FIELDS.intersection(form.changed_data):
            withdraw_provider_second_factor(single_sign_on=obj)
