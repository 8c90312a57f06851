"""What the tests' provider says about a person, and its two registrations
that misbehave on purpose."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.accounts.oidc_provider.names import EMAIL_NOT_VERIFIED, EXPIRED, MFA, WRONG_AUDIENCE


class ClaimsValidator(OAuth2Validator):
    # amr and acr come with the openid scope, as Entra ID and CIS2 send them.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid", "acr": "openid"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        groups = set(request.user.groups.values_list("name", flat=True))
        two_factors = MFA in groups
        return {
            "email": request.user.email,
            "email_verified": EMAIL_NOT_VERIFIED not in groups,
            "amr": ["pwd", "mfa"] if two_factors else ["pwd"],
            "acr": "aal2" if two_factors else "aal1",
        }

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if request.client.name == EXPIRED:
            claims["exp"] = int(timezone.now().timestamp()) - 600
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> Any:
        if request.client.name == WRONG_AUDIENCE:
            # Minted for another service: Front Door must not accept it.
            id_token["aud"] = "another-service"
        return super().finalize_id_token(id_token, token, token_handler, request)
