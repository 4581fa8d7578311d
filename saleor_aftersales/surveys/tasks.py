from celery import shared_task

from . import actions


@shared_task(name="surveys.expire")
def expire_surveys() -> int:
    return actions.expire_surveys()
