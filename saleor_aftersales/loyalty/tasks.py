"""Thin Celery tasks: each is one call into an action (idempotent, safe to run twice)."""

from celery import shared_task

from . import actions


@shared_task(name="loyalty.release_due_lots")
def release_due_lots_task() -> int:
    return actions.release_due_lots()


@shared_task(name="loyalty.expire_due_lots")
def expire_due_lots_task() -> int:
    return actions.expire_due_lots()


@shared_task(name="loyalty.notify_expiring_points")
def notify_expiring_points_task() -> int:
    return actions.notify_expiring_points()


@shared_task(name="loyalty.award_birthdays")
def award_birthdays_task() -> int:
    return actions.award_birthdays()
