import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")
django_application = get_wsgi_application()

from .webhooks.fast_path import WebhookFastPath  # noqa: E402  (needs the apps loaded above)

# Webhook deliveries are answered ahead of Django's middleware; everything else is Django (webhooks/fast_path.py).
application = WebhookFastPath(django_application)
