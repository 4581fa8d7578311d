"""Thin Celery tasks of the warranty capability."""

from celery import shared_task


@shared_task(name="warranty.send_due_reminders")
def send_due_reminders_task() -> int:
    from .actions import send_due_reminders

    return send_due_reminders()
