from __future__ import annotations

from django.urls import path

from accounts import token_views, views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", views.verify, name="two-factor-verify"),
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
    path("session/keep-alive/", views.keep_alive, name="session-keep-alive"),
]
