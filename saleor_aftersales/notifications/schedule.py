from datetime import timedelta

SCHEDULE = {
    "notifications-send-due": {"task": "notifications.send_due", "schedule": timedelta(minutes=1)},
    "notifications-deliver-due-webhooks": {
        "task": "notifications.deliver_due_webhooks",
        "schedule": timedelta(seconds=30),
    },
}
