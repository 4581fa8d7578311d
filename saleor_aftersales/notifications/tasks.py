from celery import shared_task

from . import sending


@shared_task(name="notifications.send", autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_notification_task(notification_id: int) -> None:
    sending.send(notification_id)
