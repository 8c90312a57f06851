from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and people"


class FrontDoorAdminConfig(admin_apps.AdminConfig):
    """Django's admin, as the scoped and audited site of agencies.admin_site
    (named in INSTALLED_APPS; not the agencies app's own configuration)."""

    default = False
    default_site = "agencies.admin_site.FrontDoorAdminSite"
