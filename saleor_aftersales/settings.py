"""Settings, read from the environment (django-environ).

The embedded default needs nothing outside the process: SQLite, a file-system Celery broker, the console
email backend and an in-memory cache. Production sets DATABASE_URL (PostgreSQL), REDIS_URL, PUBLIC_URL,
SECRET_KEY, FIELD_ENCRYPTION_KEYS and ALLOWED_SALEOR_API_URLS.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("TESTING", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

# The base URL at which Saleor and browsers reach this app; every URL in the manifest is built from it.
PUBLIC_URL = env("PUBLIC_URL", default="http://localhost:8000").rstrip("/")

# Saleor API URLs allowed to install the app (regular expressions, full match). The default allows only
# loopback Saleors and Saleor Cloud; a self-hosted Saleor must be added explicitly.
ALLOWED_SALEOR_API_URLS = env.list(
    "ALLOWED_SALEOR_API_URLS",
    default=[
        r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/graphql/",
        r"https://[a-z0-9-]+\.saleor\.cloud/graphql/",
    ],
)

# Fernet keys for data encrypted at rest (app tokens, personal data). The first key encrypts; all decrypt,
# so a key is rotated by prepending a new one and running `manage.py rotate_encryption_keys`.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "graphene_django",
    "django_celery_beat",
    "saleor_aftersales.core",
    "saleor_aftersales.installations",
    "saleor_aftersales.saleor_client",
    "saleor_aftersales.outbox",
    "saleor_aftersales.audit",
    "saleor_aftersales.orders",
    "saleor_aftersales.webhooks",
    "saleor_aftersales.sla",
    "saleor_aftersales.notifications",
    "saleor_aftersales.knowledge",
    "saleor_aftersales.returns",
    "saleor_aftersales.loyalty",
    "saleor_aftersales.warranty",
    "saleor_aftersales.surveys",
    "saleor_aftersales.service",
    "saleor_aftersales.insights",
    "saleor_aftersales.dashboard",
    "saleor_aftersales.graphql",
]

MIGRATION_MODULES = {
    app: f"migrations.{app}"
    for app in [
        "core",
        "installations",
        "saleor_client",
        "outbox",
        "audit",
        "orders",
        "webhooks",
        "sla",
        "notifications",
        "knowledge",
        "returns",
        "loyalty",
        "warranty",
        "surveys",
        "service",
        "insights",
        "dashboard",
    ]
}

MIDDLEWARE = [
    "saleor_aftersales.core.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "saleor_aftersales.core.security.ContentSecurityPolicyMiddleware",
]

# The manifest and webhook URLs must answer directly: Saleor follows no redirect.
APPEND_SLASH = False
ROOT_URLCONF = "saleor_aftersales.urls"
WSGI_APPLICATION = "saleor_aftersales.wsgi.application"
ASGI_APPLICATION = (
    "saleor_aftersales.asgi.application"  # production: gunicorn -k uvicorn_worker.UvicornWorker
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the Celery worker share the file; IMMEDIATE transactions take
    # the write lock at BEGIN, so two threads writing at once wait for each other instead of failing "database is
    # locked" (a read lock cannot be upgraded while another writer waits).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
elif env.bool("DB_POOL", default=False):
    # The ASGI web process (asgi.py turns this on): each request's sync code runs on a thread of its own, so a
    # persistent per-thread connection would be left behind; a pool hands each request a warm connection instead
    # of a new one (about 2 ms saved per request on loopback) and takes it back when the request ends.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django's pool requires it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})
if env("TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env("TEST_DB_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The loyalty ledger's hot-path statements run as server-side prepared statements on PostgreSQL; turn off behind
# a transaction-mode connection pooler that cannot keep them (loyalty/ledger.py).
LOYALTY_PREPARED_STATEMENTS = env.bool("LOYALTY_PREPARED_STATEMENTS", default=True)

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The embedded default runs the web server and the Celery worker as separate processes: they share
    # flags (the webhook drain wake-up) and cached answers through files, not per-process memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
RATE_LIMIT_STORAGE_URL = env("RATE_LIMIT_STORAGE_URL", default=REDIS_URL or "memory://")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "saleor_aftersales" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads (return photos, proofs of purchase, attachments).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
UPLOAD_ALLOWED_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"]
# Webhook bodies beyond this are refused before anything is parsed.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(WEBHOOK_MAX_BODY_BYTES, UPLOAD_MAX_BYTES * 2)
# Concurrent webhook deliveries in one process share one INSERT and commit (PostgreSQL; webhooks/inbox.py).
WEBHOOK_GROUP_COMMIT = env.bool("WEBHOOK_GROUP_COMMIT", default=True)
# The asyncio group commit may wait this long under load to grow a batch (webhooks/async_inbox.py); 0 = off.
WEBHOOK_GROUP_COMMIT_LINGER_MS = env.float("WEBHOOK_GROUP_COMMIT_LINGER_MS", default=0.0)
# POST /api/webhooks/<event> is served by webhooks/fast_path.py ahead of Django's middleware (saleor_aftersales/wsgi.py).
WEBHOOK_FAST_PATH = env.bool("WEBHOOK_FAST_PATH", default=True)

# Celery. The embedded default uses the file-system transport (at-most-once: dev only, refused when
# DEBUG is off unless ALLOW_DEV_BROKER is set, see core.checks).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    (_celery_dir / "out").mkdir(parents=True, exist_ok=True)
    (_celery_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
ALLOW_DEV_BROKER = env.bool("ALLOW_DEV_BROKER", default=False)
# Periodic jobs: each calls one idempotent domain action (sweeps that are safe to run twice).
CELERY_BEAT_SCHEDULE = {
    "outbox-dispatch-due": {"task": "outbox.dispatch_due", "schedule": timedelta(seconds=30)},
    "webhooks-process-stale": {"task": "webhooks.process_stale_deliveries", "schedule": timedelta(minutes=2)},
}

# Saleor client.
SALEOR_HTTP_TIMEOUT = env.float("SALEOR_HTTP_TIMEOUT", default=10.0)
SALEOR_HTTP_CONNECT_TIMEOUT = env.float("SALEOR_HTTP_CONNECT_TIMEOUT", default=3.0)
SALEOR_HTTP_RETRIES = env.int("SALEOR_HTTP_RETRIES", default=3)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_SECONDS = env.float("OUTBOX_BACKOFF_SECONDS", default=5.0)

# GraphQL.
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=12)
GRAPHQL_MAX_COMPLEXITY = env.int("GRAPHQL_MAX_COMPLEXITY", default=50000)
GRAPHQL_MAX_LIST_SIZE = 100
GRAPHENE = {"SCHEMA": "saleor_aftersales.graphql.api.schema"}

# Dashboard: origins allowed to frame our pages (Content-Security-Policy frame-ancestors), e.g.
# "https://dashboard.example.com". Unset: the Dashboard pages allow the origins of the installed Saleor instances
# (Saleor Cloud serves its Dashboard there) and nothing else may be framed (core/security.py).
DASHBOARD_FRAME_ANCESTORS = env.list("DASHBOARD_FRAME_ANCESTORS", default=[])

# Storefronts: browser origins allowed to call /graphql/ cross-origin (CORS), e.g. "https://shop.example.com";
# "http://127.0.0.1:*" allows any port. Tokens travel in the Authorization header (no cookies). Unset: none.
STOREFRONT_ORIGINS = env.list("STOREFRONT_ORIGINS", default=[])

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="aftersales@localhost")
# Notifications: email retries, and outgoing signed webhooks to the merchant's endpoints. Private and loopback
# endpoint addresses are refused (SSRF) unless NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE is set (on by default in DEBUG).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_BACKOFF_SECONDS = env.float("NOTIFICATION_BACKOFF_SECONDS", default=30.0)
NOTIFICATION_WEBHOOK_MAX_ATTEMPTS = env.int("NOTIFICATION_WEBHOOK_MAX_ATTEMPTS", default=8)
NOTIFICATION_WEBHOOK_BACKOFF_SECONDS = env.float("NOTIFICATION_WEBHOOK_BACKOFF_SECONDS", default=30.0)
NOTIFICATION_WEBHOOK_TIMEOUT = env.float("NOTIFICATION_WEBHOOK_TIMEOUT", default=5.0)
NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE = env.bool("NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE", default=DEBUG)
# Surveys: how long a survey link is valid, and the CSAT at or below which a follow-up case opens (defaults of
# each installation's SurveyConfig).
SURVEY_LINK_MAX_AGE_DAYS = env.int("SURVEY_LINK_MAX_AGE_DAYS", default=30)
SURVEY_LOW_CSAT_THRESHOLD = env.int("SURVEY_LOW_CSAT_THRESHOLD", default=2)

PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "saleor_aftersales.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}

SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_URL])
X_FRAME_OPTIONS = "ALLOWALL"  # framing is governed by CSP frame-ancestors instead
