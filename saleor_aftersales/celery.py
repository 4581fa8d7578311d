"""The Celery application. Tasks are thin: they take ids and call one domain action."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")

app = Celery("saleor_aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
