"""How people sign in, as data: a person's own API tokens (agency systems
have API keys: agencies), an agency's OpenID Connect provider (single
sign-on), the subject identifiers it knows people by, and the second factor
a provider can vouch for.

A provider only ever tells Front Door who someone is. What they may do
still comes from their memberships, which the provider never creates.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django_otp.models import Device
from simple_history.models import HistoricalRecords

from core.secrets import decrypt, encrypt


class PersonalToken(models.Model):
    """A token a person made for their own scripts, after a fresh second
    factor. Only a SHA-256 hash of it is kept, with a short prefix to find
    it; it expires, and stops working once unused for a while, like a
    session left alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    def is_usable(self, now: dt.datetime, *, idle: dt.timedelta) -> bool:
        if self.revoked_at is not None or now >= self.expires_at:
            return False
        since = self.last_used_at or self.created_at
        return now - since < idle


class IdentifyBy(models.TextChoices):
    EMAIL = "email", "Their verified email address (the email claim)"
    SUBJECT = "subject", "Their subject identifier at the provider (the sub claim), recorded below"


def _split(text: str) -> list[str]:
    return [item.strip().lower() for item in text.replace(",", "\n").split() if item.strip()]


class SingleSignOn(models.Model):
    """An agency whose staff sign in with their organisation's account
    (Microsoft Entra ID, NHS Care Identity Service 2, or any OpenID Connect
    provider), configured by an administrator."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="single_sign_on"
    )
    provider_name = models.CharField(
        max_length=100,
        help_text=(
            "What people see on the button, for example ‘NHS Care Identity Service 2’ or "
            "‘your Northbridge Council Microsoft account’."
        ),
    )
    issuer = models.URLField(
        max_length=500,
        help_text=(
            "The provider's issuer. Front Door reads its settings from the issuer followed by "
            "/.well-known/openid-configuration. Entra ID: "
            "https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0"
        ),
    )
    client_id = models.CharField(max_length=255, help_text="The client ID the provider gave you.")
    # Front Door must read the secret back to redeem codes, so it is kept
    # encrypted (core.secrets), not hashed; never shown again after saving,
    # never copied into the history table. Read and set it as client_secret.
    encrypted_client_secret = models.CharField(max_length=1000, editable=False)
    scopes = models.CharField(
        max_length=200,
        default="openid email",
        help_text="Space-separated. Must include openid; add email to match people by email.",
    )
    identify_by = models.CharField(
        max_length=16,
        choices=IdentifyBy.choices,
        default=IdentifyBy.EMAIL,
        verbose_name="Recognise people by",
    )
    email_domains = models.TextField(
        help_text=(
            "The email domains this agency's staff use, one a line, for example "
            "northbridge.gov.uk. A person types their work email and is sent to the provider "
            "of the agency whose domains match; the email the provider returns must match too."
        )
    )
    accept_email_without_verified_claim = models.BooleanField(
        default=False,
        verbose_name="Accept an email the provider does not mark as verified",
        help_text=(
            "Only for a single-tenant Entra ID whose administrators own every address in the "
            "domains above: Entra ID does not send email_verified. An email the provider marks "
            "as not verified is always refused."
        ),
    )
    accept_provider_mfa = models.BooleanField(
        default=False,
        verbose_name="Accept the provider's two-factor sign-in",
        help_text=(
            "When the provider says it checked two factors (one of the methods below in the ID "
            "token's amr), Front Door does not ask for its own security code. Otherwise people "
            "enter a code from their authenticator app as with a password."
        ),
    )
    mfa_methods = models.CharField(
        max_length=200,
        blank=True,
        default="mfa",
        verbose_name="Methods that count as two factors",
        help_text=(
            "amr values, comma-separated. Entra ID: mfa. NHS CIS2: the values for smartcards "
            "and other two-factor methods your registration returns."
        ),
    )
    contact = models.CharField(
        max_length=300,
        blank=True,
        verbose_name="Who to contact",
        help_text=(
            "Shown to someone the provider signed in but Front Door cannot let in, for example "
            "‘your safeguarding lead, Sam Patel, on 01632 960 123’."
        ),
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=["encrypted_client_secret"])

    class Meta:
        ordering = ["agency__name"]
        verbose_name = "single sign-on"
        verbose_name_plural = "single sign-on"

    def __str__(self) -> str:
        return f"{self.agency}: {self.provider_name}"

    @property
    def client_secret(self) -> str:
        return decrypt(self.encrypted_client_secret)

    @client_secret.setter
    def client_secret(self, plain: str) -> None:
        self.encrypted_client_secret = encrypt(plain)

    @property
    def domains(self) -> list[str]:
        return _split(self.email_domains)

    @property
    def mfa_method_set(self) -> frozenset[str]:
        # amr values are case-sensitive strings (OpenID Connect Core 2).
        return frozenset(m.strip() for m in self.mfa_methods.split(",") if m.strip())


class SingleSignOnIdentity(models.Model):
    """The subject (`sub`) a provider knows one person by, recorded by an
    administrator for an agency that recognises people that way (NHS CIS2's
    user identifier, for example)."""

    single_sign_on = models.ForeignKey(
        SingleSignOn, on_delete=models.CASCADE, related_name="identities"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="single_sign_on_identities",
    )
    subject = models.CharField(max_length=255, help_text="The sub claim for this person.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["single_sign_on", "subject"]
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(
                fields=["single_sign_on", "subject"], name="sso_identity_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["single_sign_on", "user"], name="sso_identity_user_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.single_sign_on.provider_name}"


class ProviderDevice(Device):
    """A second factor the agency's provider vouched for, as django-otp sees
    it: a session holding this device is verified, exactly as one holding an
    authenticator app is. It takes no code, so it never appears on the code
    page; it exists only for people whose agency accepts the provider's
    two-factor sign-in, and is unconfirmed (so no longer counts) the moment
    the agency stops accepting it."""

    # No reverse accessor: django-otp's Device has no type information, so
    # the type checker cannot follow a relation back from SingleSignOn.
    single_sign_on: models.ForeignKey[SingleSignOn, SingleSignOn] = models.ForeignKey(
        SingleSignOn, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "organisation sign-in"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "single_sign_on"], name="provider_device_once_per_agency"
            )
        ]

    def verify_token(self, token: object) -> bool:
        return False
