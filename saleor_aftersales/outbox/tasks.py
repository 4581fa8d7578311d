from celery import shared_task

from . import actions


@shared_task(name="outbox.dispatch")
def dispatch_outbox_message(message_id: int) -> None:
    actions.dispatch(message_id)


@shared_task(name="outbox.dispatch_due")
def dispatch_due_outbox() -> int:
    return actions.dispatch_due()
