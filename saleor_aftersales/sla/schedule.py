from datetime import timedelta

SCHEDULE = {
    "sla-sweep": {"task": "sla.sweep", "schedule": timedelta(minutes=1)},
}
