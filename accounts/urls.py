from __future__ import annotations

from django.urls import path

from accounts import single_sign_on_views, token_views, views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", views.verify, name="two-factor-verify"),
    path("sign-in/passkey/", views.passkey_sign_in, name="two-factor-passkey"),
    path("sign-in/organisation/", single_sign_on_views.start, name="single-sign-on"),
    path(
        "sign-in/organisation/callback/",
        single_sign_on_views.callback,
        name="single-sign-on-callback",
    ),
    path("sign-in/set-up/", views.set_up, name="two-factor-set-up"),
    path("sign-in/recovery-codes/", views.recovery_codes, name="two-factor-codes"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("account/", views.account, name="account"),
    path("account/recovery-codes/", views.regenerate_codes, name="account-new-codes"),
    path("account/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path(
        "account/api-tokens/<str:prefix>/revoke/",
        token_views.revoke_api_token,
        name="api-token-revoke",
    ),
    path("account/passkeys/add/", views.add_passkey, name="passkey-add"),
    path("account/passkeys/<int:passkey_id>/remove/", views.remove_passkey, name="passkey-remove"),
    path("account/authenticator/remove/", views.remove_app, name="authenticator-remove"),
    path("session/keep-alive/", views.keep_alive, name="session-keep-alive"),
]
