"""Beat entries of the loyalty capability (merged in saleor_aftersales/celery.py)."""

SCHEDULE = {
    "loyalty-release-due-lots": {"task": "loyalty.release_due_lots", "schedule": 15 * 60.0},
    "loyalty-expire-due-lots": {"task": "loyalty.expire_due_lots", "schedule": 60 * 60.0},
    "loyalty-notify-expiring-points": {"task": "loyalty.notify_expiring_points", "schedule": 6 * 60 * 60.0},
    # Idempotent per account and year: running it every few hours only catches up missed runs.
    "loyalty-award-birthdays": {"task": "loyalty.award_birthdays", "schedule": 4 * 60 * 60.0},
}
