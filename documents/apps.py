from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        from documents.models import documents_storage

        documents_storage.reset()


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        setting_changed.connect(_storages_changed, dispatch_uid="documents-storages-changed")
