from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, the second factor and sessions."""

    name = "accounts"
    verbose_name = "Sign-in and accounts"
