from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        # Sign-in events come from Django's auth signals; recording them is
        # the only thing these receivers do.
        from audit import receivers  # noqa: F401
