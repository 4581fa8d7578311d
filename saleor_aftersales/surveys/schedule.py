from datetime import timedelta

SCHEDULE = {
    "surveys-expire": {"task": "surveys.expire", "schedule": timedelta(hours=1)},
}
