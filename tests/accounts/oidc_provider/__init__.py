"""A real OpenID Connect provider for the single sign-on tests.

A tiny Django project of its own (django-oauth-toolkit with OIDC on, an RSA
signing key, PKCE required), started as a separate process on a spare
loopback port by `server.start_provider`. Front Door talks to it over HTTP
exactly as it would to Entra ID or NHS CIS2: discovery, the authorization
endpoint (a person signs in on its own page), the token endpoint and the
JWKS. Nothing in Front Door imports it.

Its people's groups decide what it says about them (`claims.py`), and two
registrations misbehave on purpose (a wrong audience, an expired ID token),
so the tests can show what Front Door refuses from a provider that signs
such tokens with its real key.
"""
