"""Names the tests and the tests' provider agree on (no Django imports, so
Front Door's tests can read them without loading the provider's apps)."""

from __future__ import annotations

# Group names the tests put the provider's people in.
MFA = "mfa"
EMAIL_NOT_VERIFIED = "email not verified"
# Registration names whose ID tokens are wrong, though signed with the real key.
WRONG_AUDIENCE = "wrong audience"
EXPIRED = "expired"
