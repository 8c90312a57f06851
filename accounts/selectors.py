"""Reads about signing in with an organisation's account: which agencies'
providers an email address leads to, and who (if anyone) a provider's
answer is at Front Door."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import TextChoices

from accounts.models import IdentifyBy, SingleSignOn, SingleSignOnIdentity
from accounts.oidc import Identity
from agencies.models import Membership


class Refusal(TextChoices):
    """Why a person the provider signed in cannot use Front Door (the page
    they see says which, and who to contact)."""

    UNVERIFIED = "unverified", "the provider did not confirm the email address"
    OTHER_DOMAIN = "other_domain", "the email address is not in the agency's domains"
    UNKNOWN = "unknown", "no person at Front Door has this identity"
    NOT_A_MEMBER = "not_a_member", "the person has no active membership of the agency"
    AMBIGUOUS = "ambiguous", "more than one person at Front Door has this email address"
    SUPERUSER = "superuser", "the person is a superuser, who signs in with a password and code"


class PersonRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.label)
        self.refusal = refusal


def single_sign_on_available() -> bool:
    return SingleSignOn.objects.filter(is_active=True, agency__is_active=True).exists()


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def single_sign_ons_for_email(*, email: str) -> list[SingleSignOn]:
    """The active agencies whose staff use this email's domain, by name.
    Several agencies can share one (every NHS organisation uses nhs.net)."""
    domain = domain_of(email)
    if not domain:
        return []
    # A few dozen agencies at most: reading them all is simpler than a table
    # of domains to keep in step with what administrators type.
    configured = SingleSignOn.objects.filter(is_active=True, agency__is_active=True)
    return [sso for sso in configured.select_related("agency") if domain in sso.domains]


def _may_sign_in(user: User, single_sign_on: SingleSignOn) -> bool:
    return (
        user.is_active
        and Membership.objects.filter(
            user=user, agency_id=single_sign_on.agency_id, is_active=True
        ).exists()
    )


def person_for_identity(*, single_sign_on: SingleSignOn, identity: Identity) -> User:
    """The one active person with an active membership of the agency whom
    the provider's answer names; PersonRefused otherwise.

    1. By subject: the identity an administrator recorded for the agency.
    2. By email: the email must be verified (email_verified true, or absent
       where the agency's configuration accepts that), in one of the
       agency's domains, and belong to exactly one such person.
    3. Never a superuser: a provider, run by someone else, would hold the
       keys to the whole deployment.
    """
    person = _named_person(single_sign_on=single_sign_on, identity=identity)
    if person.is_superuser:
        raise PersonRefused(Refusal.SUPERUSER)
    return person


def _named_person(*, single_sign_on: SingleSignOn, identity: Identity) -> User:
    if single_sign_on.identify_by == IdentifyBy.SUBJECT:
        link = (
            SingleSignOnIdentity.objects.filter(
                single_sign_on=single_sign_on, subject=identity.subject
            )
            .select_related("user")
            .first()
        )
        if link is None:
            raise PersonRefused(Refusal.UNKNOWN)
        if not _may_sign_in(link.user, single_sign_on):
            raise PersonRefused(Refusal.NOT_A_MEMBER)
        return link.user

    email = identity.email
    if email is None or identity.email_verified is False:
        raise PersonRefused(Refusal.UNVERIFIED)
    if identity.email_verified is None and not single_sign_on.accept_email_without_verified_claim:
        raise PersonRefused(Refusal.UNVERIFIED)
    if domain_of(email) not in single_sign_on.domains:
        raise PersonRefused(Refusal.OTHER_DOMAIN)
    people = list(User.objects.filter(email__iexact=email).order_by("pk"))
    if not people:
        raise PersonRefused(Refusal.UNKNOWN)
    allowed = [person for person in people if _may_sign_in(person, single_sign_on)]
    if not allowed:
        raise PersonRefused(Refusal.NOT_A_MEMBER)
    if len(allowed) > 1:
        # Guessing between two accounts could open the wrong person's work.
        raise PersonRefused(Refusal.AMBIGUOUS)
    return allowed[0]


def provider_vouches_for_second_factor(*, single_sign_on: SingleSignOn, identity: Identity) -> bool:
    """The agency accepts its provider's two-factor sign-in, and this ID
    token's amr names one of the methods the agency counts as two factors."""
    return single_sign_on.accept_provider_mfa and bool(
        single_sign_on.mfa_method_set.intersection(identity.amr)
    )
