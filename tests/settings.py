"""Test settings: the real settings with eager Celery, a per-run test database and loopback Saleors allowed."""

import os

os.environ.setdefault("TESTING", "1")

from saleor_aftersales.settings import *  # noqa: E402,F403
from saleor_aftersales.settings import DATABASES, VAR_DIR  # noqa: E402

TESTING = True
DEBUG = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_SALEOR_API_URLS = [r"http://127\.0\.0\.1:\d+/graphql/", r"http://localhost:\d+/graphql/"]
PUBLIC_URL = "http://testserver"
OUTBOX_BACKOFF_SECONDS = 1.0
NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE = True  # tests deliver to loopback receivers
NOTIFICATION_BACKOFF_SECONDS = 1.0
NOTIFICATION_WEBHOOK_BACKOFF_SECONDS = 1.0
SALEOR_HTTP_TIMEOUT = 2.0
SALEOR_HTTP_CONNECT_TIMEOUT = 1.0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATE_LIMIT_STORAGE_URL = "memory://"
MEDIA_ROOT = VAR_DIR / f"test-media-{os.getpid()}"

# Parallel runs (several engineers, CI) must not share a test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DB_NAME") or f"test_aftersales_{os.getpid()}"
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
