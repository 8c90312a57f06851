"""Front Door settings: one module, every value read from the environment.

The defaults give the embedded mode (`make run`): SQLite and a filesystem Celery
broker under `var/`, emails written to `var/mail/`. Production sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and friends (see docker-compose.yml).
Helpers fail loudly on a malformed value rather than guessing.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FRONTDOOR_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The embedded mode may run with a generated key; production must set SECRET_KEY.
# The "django-insecure-" prefix makes `check --deploy` refuse the default.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-embedded-mode-only-" + "x" * 32)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Absolute base URL used in emails, which link back to the portal instead of
# carrying personal data.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, scoped to each front door's own rows (agencies.admin_site).
    "agencies.apps.FrontDoorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # Ours, from the ground floor up: each imports only those above it here.
    "core",
    "audit",
    "agencies",
    "accounts",
    "notifications",
    "referrals",
    "privacy",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session nobody used for a while is signed out; then nothing but the
    # sign-in pages opens without the second factor.
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "accounts.context_processors.session_timeout",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
SQLITE_PATH = VAR_DIR / "frontdoor.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file in the embedded mode: WAL lets readers
    # carry on during a write, IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests that start real worker processes need a file they can share.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-frontdoor.sqlite3")}
    # SQLite has no covering indexes: it builds referral_fd_received on its
    # key columns only, which is all the embedded mode's volumes need.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif env_str("DATABASE_SERVER_SIDE_BINDING", "1") == "1":
    # PostgreSQL: send values apart from the statement, so psycopg prepares a
    # statement the fifth time a connection runs it and PostgreSQL stops
    # parsing and planning it on every request. Measured on the submission
    # benchmark: about 45% more API submissions a second (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-ins from a locked-out user or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes locked out after too many failures
# Per username *and* client address: someone guessing from their own address
# locks out only themselves there, never the person whose name they typed
# (accounts.services adds a back-off per username that locks nobody out).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.network.client_address"
# What people type as a username (sometimes their password) is not kept as
# typed: lock-outs match on its hash.
AXES_USERNAME_CALLABLE = "accounts.services.typed_username_digest"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after two idle hours or when the browser closes: shared NHS and
# council machines are common.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Signed out after this long without using a page (the page warns first).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_TIMEOUT_WARNING = env_int("SESSION_TIMEOUT_WARNING", 2 * 60)
# A session ends this long after signing in, however busy (a working day).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
# Two-factor sign-in: the name people see in their authenticator app.
OTP_TOTP_ISSUER = "Front Door"
OTP_TOTP_THROTTLE_FACTOR = 1
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True


def _passkey_host(host: str) -> str:
    # Browsers refuse an IP address as a passkey's domain, though 127.0.0.1 is
    # a secure context: the embedded mode's passkeys belong to "localhost".
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host or "localhost"
    return "localhost"


# Passkeys (WebAuthn) as a second factor, through django-otp-webauthn. A passkey
# is bound to one domain, the relying party id, and answers only pages from the
# origins listed: both follow PORTAL_BASE_URL unless set. Changing the id later
# makes every passkey useless (people add theirs again).
_PORTAL = urlsplit(PORTAL_BASE_URL)
_PORTAL_HOST = _passkey_host(_PORTAL.hostname or "")
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", _PORTAL_HOST)
WEBAUTHN_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS",
    [f"{_PORTAL.scheme}://{_PORTAL_HOST}" + (f":{_PORTAL.port}" if _PORTAL.port else "")],
)
OTP_WEBAUTHN_RP_ID = WEBAUTHN_RP_ID
OTP_WEBAUTHN_RP_NAME = "Front Door"
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_ORIGINS
# A passkey is a second factor here, after the password, never instead of it.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Monitoring probes the container directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# How many proxies of our own stand in front of the web server and append the
# client's address to X-Forwarded-For (1 behind the TLS proxy of
# docker-compose.yml): lock-outs, rate limits and the audit use that address.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0
)
# Refused API credentials from one address in a minute before the next is
# refused with 429 unread (and its audit folded into a count).
AUTH_FAILURES_PER_MINUTE = env_int("AUTH_FAILURES_PER_MINUTE", 30)
# Personal API tokens: made for at most this many days, and stop working
# after this many days unused.
PERSONAL_TOKEN_MAX_DAYS = env_int("PERSONAL_TOKEN_MAX_DAYS", 90)
PERSONAL_TOKEN_IDLE_DAYS = env_int("PERSONAL_TOKEN_IDLE_DAYS", 14)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict Content Security Policy: only our own scripts, styles, fonts and images.
# The one inline script (GOV.UK's js-enabled class) carries a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:ia"

# --- Static files: GOV.UK Frontend assets and our compiled stylesheet ----------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# WhiteNoise serves from the finders in the embedded mode; it still expects
# the collected folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    BASE_DIR / "static_build",
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- Email: notifications only; the portal is the record ----------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    # The same SMTP backend, with each message bounded by its delivery
    # deadline (notifications.mail): a relay that hangs costs one deadline.
    EMAIL_BACKEND = "notifications.mail.SMTPBackend"
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Front Door <no-reply@frontdoor.example>")

# --- Celery ---------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, no server needed. The control
# folder makes `celery inspect` work on it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Results are never read: every task records what it did in the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A web request that nudges the dispatcher must not hang when the broker is
# down: the outbox row is already committed and beat will pick it up.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps trying to reach the broker however long it is down (Celery's
# default gives up after about 47 minutes and exits), and comes back by itself.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Escalation is never behind delivery: the sweep, email and webhooks each have
# a queue, and each queue its own worker (Procfile.dev, docker-compose.yml),
# so a mail relay or an agency's endpoint that hangs holds up only its own
# messages. CELERY_TASK_DEFAULT_QUEUE takes anything else.
ESCALATION_QUEUE = env_str("ESCALATION_QUEUE", "escalation")
EMAIL_QUEUE = env_str("EMAIL_QUEUE", "email")
WEBHOOK_QUEUE = env_str("WEBHOOK_QUEUE", "webhooks")
CELERY_TASK_ROUTES = {
    "referrals.tasks.sweep_overdue_referrals": {"queue": ESCALATION_QUEUE},
    "notifications.tasks.dispatch_email": {"queue": EMAIL_QUEUE},
    "notifications.tasks.dispatch_webhooks": {"queue": WEBHOOK_QUEUE},
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 60)
DISPATCH_INTERVAL_SECONDS = env_int("DISPATCH_INTERVAL_SECONDS", 60)
# A sweep's time limit: a catch-up after a long outage streams in batches and
# finishes in seconds; a sweep still running after this is stuck.
SWEEP_TIME_LIMIT_SECONDS = env_int("SWEEP_TIME_LIMIT_SECONDS", 300)
# /healthz answers 503 when no sweep has succeeded for this long (default:
# five missed sweeps, at least 5 minutes) or when a message has waited longer
# than OUTBOX_BACKLOG_AFTER_MINUTES without being delivered.
SWEEP_STALLED_AFTER_MINUTES = env_int(
    "SWEEP_STALLED_AFTER_MINUTES", max(5, 5 * SWEEP_INTERVAL_SECONDS // 60)
)
OUTBOX_BACKLOG_AFTER_MINUTES = env_float("OUTBOX_BACKLOG_AFTER_MINUTES", 15)
# Monitoring that sends "Authorization: Bearer <this>" to /healthz sees the
# figures behind its answer; anyone else sees only the status and problems.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")
# ... and while an email has failed for good in the last this many hours (it
# stays on the dashboard and the resend page after that).
OUTBOX_FAILED_ALERT_HOURS = env_int("OUTBOX_FAILED_ALERT_HOURS", 24)
CELERY_BEAT_SCHEDULE = {
    # The sweep is correct whenever it runs: a late or missed beat only delays
    # escalation, and the next run catches up on everything breached.
    "sweep-overdue-referrals": {
        "task": "referrals.tasks.sweep_overdue_referrals",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "dispatch-email": {
        "task": "notifications.tasks.dispatch_email",
        "schedule": float(DISPATCH_INTERVAL_SECONDS),
    },
    "dispatch-webhooks": {
        "task": "notifications.tasks.dispatch_webhooks",
        "schedule": float(DISPATCH_INTERVAL_SECONDS),
    },
}

# Secrets the portal reads back (webhook signing secrets) are encrypted with a
# key derived from this (core.secrets); SECRET_KEY where it is not set.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")

# --- Notifications outbox ------------------------------------------------------
# Each delivery (one email, one webhook call) has this long, on the wall
# clock, whatever the other end does (notifications.deadline).
NOTIFICATION_DELIVERY_DEADLINE_SECONDS = env_int("NOTIFICATION_DELIVERY_DEADLINE_SECONDS", 30)
# A dispatcher that dies mid-delivery gives its messages back after this.
NOTIFICATION_LEASE_SECONDS = env_int(
    "NOTIFICATION_LEASE_SECONDS", NOTIFICATION_DELIVERY_DEADLINE_SECONDS + 30
)
# After a failed attempt: try again after the base, doubling, at most the cap.
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 300)
# How long a message is tried before it counts as failed (then resendable):
# escalations and urgent alerts longer than the rest.
NOTIFICATION_RETRY_FOR_HOURS = env_int("NOTIFICATION_RETRY_FOR_HOURS", 72)
NOTIFICATION_URGENT_RETRY_FOR_HOURS = env_int("NOTIFICATION_URGENT_RETRY_FOR_HOURS", 168)
# A dispatch task delivers batches for this long, then queues itself again if
# more is due (so a backlog drains without waiting for the next beat).
DISPATCH_BATCH_SIZE = env_int("DISPATCH_BATCH_SIZE", 200)
DISPATCH_TASK_SECONDS = env_int("DISPATCH_TASK_SECONDS", 50)
# The most emails a second this deployment hands its relay (0: no limit).
EMAIL_RATE_PER_SECOND = env_float("EMAIL_RATE_PER_SECOND", 0.0)
# Circuit breakers (notifications.models.Circuit): after this many failures
# in a row a mail relay or webhook endpoint is left alone for the cool-down,
# which doubles each time, up to the cap.
CIRCUIT_FAILURES = env_int("CIRCUIT_FAILURES", 3)
CIRCUIT_COOLDOWN_SECONDS = env_int("CIRCUIT_COOLDOWN_SECONDS", 30)
CIRCUIT_MAX_COOLDOWN_SECONDS = env_int("CIRCUIT_MAX_COOLDOWN_SECONDS", 300)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# An agency endpoint failing this long is switched off and its agency told.
WEBHOOK_SWITCH_OFF_AFTER_HOURS = env_int("WEBHOOK_SWITCH_OFF_AFTER_HOURS", 24)
# Plain http:// webhooks to this machine, for trying them out locally (make
# run sets it; never in production).
WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
# Endpoints on private networks (10/8, 192.168/16, 169.254/16...) are refused
# unless a deployment really delivers inside its own network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# --- Cache: API rate limits are counted here, so it must be shared by every
# web process: Redis in production, a folder under var/ in the embedded mode.
CACHE_URL = env_str(
    "CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis://") else ""
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "frontdoor"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- REST framework --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agencies.api_keys.ApiKeyAuthentication",
        "accounts.tokens.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per signed-in user (so per API key): a runaway agency system gets 429
    # with Retry-After instead of crowding out everyone else.
    # Fail open if the cache (Redis) is down: see portal/throttling.py.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserRateThrottle",
        "core.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_LIMIT", "600/minute"),
        "anon": env_str("API_ANON_RATE_LIMIT", "60/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# OpenAPI 3 schema and its docs page, served from our own static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "Front Door API",
    "DESCRIPTION": (
        "Send safeguarding referrals to a local authority's front door from an agency's own "
        "record system, and follow them: receipt, acknowledgement, decision, outcome. "
        "Token authentication: `Authorization: Token <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The question pages' yes/no answers, named once in the schema.
    "ENUM_NAME_OVERRIDES": {
        "YesNoEnum": "referrals.forms.content.YES_NO",
        "YesNoNotKnownEnum": "referrals.forms.content.YES_NO_NOT_KNOWN",
        "KindEnum": "referrals.models.choices.Kind",
        "SenderKindEnum": "referrals.forms.content.SENDER_KIND_CHOICES",
        "DecisionEnum": "referrals.models.choices.Decision",
        "DecisionChoiceEnum": "referrals.forms.triage.DECISION_CHOICES",
    },
}

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The filesystem broker has no host; kombu warns about it on every publish.
        "kombu.connection": {"level": "ERROR"},
    },
}
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# The public page "Report a concern about a child" (no account). Its reports
# land as contacts at this front door (an agency's exact name); unset, at the
# only active front door if there is just one. Routing by the child's
# postcode will choose between several.
PUBLIC_REPORTS_FRONT_DOOR = env_str("PUBLIC_REPORTS_FRONT_DOOR", "")
# Reports one address may make in an hour before the page asks them to phone.
PUBLIC_REPORTS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_HOUR", 5)
