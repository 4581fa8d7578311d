"""The ASGI entry point (production: gunicorn -k uvicorn_worker.UvicornWorker saleor_aftersales.asgi:application).

Webhook deliveries are answered on the event loop ahead of Django (webhooks/asgi.py); everything else is
Django's ASGI handler unchanged, which runs the (sync) views in threads.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")
# Django's ASGI handler runs each request's sync code on a thread of its own that ends with the request, so a
# persistent connection (CONN_MAX_AGE > 0) would be left behind in that thread: on PostgreSQL requests borrow from
# a connection pool (DB_POOL, settings.py); otherwise close it when the request ends (Django's advice for ASGI),
# unless DB_CONN_MAX_AGE says otherwise. Webhooks do not use these connections (webhooks/async_inbox.py).
os.environ.setdefault("DB_POOL", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
django_application = get_asgi_application()

from .webhooks.asgi import WebhookIngestASGI  # noqa: E402  (needs the apps loaded above)

application = WebhookIngestASGI(django_application)
