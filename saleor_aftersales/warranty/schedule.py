"""Beat entries of the warranty capability (merged in saleor_aftersales/celery.py)."""

SCHEDULE = {
    "warranty-send-due-reminders": {"task": "warranty.send_due_reminders", "schedule": 60 * 60.0},
}
