"""Beat entries of insights (plain dicts, merged in celery.py)."""

from datetime import timedelta

from celery.schedules import crontab

SCHEDULE = {
    "insights-refresh-rollups": {"task": "insights.refresh_all_rollups", "schedule": timedelta(minutes=15)},
    "insights-quality-sweep": {
        "task": "insights.sweep_all_quality_alerts",
        "schedule": crontab(hour=3, minute=30),
    },
    "insights-weekly-digest": {
        "task": "insights.send_all_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}
