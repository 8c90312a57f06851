"""Settings for running django-helpdesk beside Front Door, for the benchmarks only.

django-helpdesk is a benchmark-only dependency (the `bench` group): it is
installed to compare its `escalate_tickets` command with our escalation sweep,
on its own database, and is never part of the application.
"""

from __future__ import annotations

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.sites",
    "django.contrib.humanize",
    "django_cleanup.apps.CleanupConfig",
    "helpdesk",
]
SITE_ID = 1
HELPDESK_TEAMS_MODE_ENABLED = False
# Emails are rendered and handed to Django's in-memory backend: the cost of
# building each message is measured, not an SMTP server's.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {
    **DATABASES,
    "default": {
        **DATABASES["default"],
        "NAME": os.environ.get("HELPDESK_DATABASE_NAME", "frontdoor_bench_helpdesk"),
    },
}
ROOT_URLCONF = "bench.helpdesk_urls"
