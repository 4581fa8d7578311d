"""The ASGI entry point (production: gunicorn -k uvicorn_worker.UvicornWorker saleor_aftersales.asgi:application).

Webhook deliveries are answered on the event loop ahead of Django (webhooks/asgi.py); everything else is
Django's ASGI handler unchanged, which runs the (sync) views in threads.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")
django_application = get_asgi_application()

from .webhooks.asgi import WebhookIngestASGI  # noqa: E402  (needs the apps loaded above)

application = WebhookIngestASGI(django_application)
