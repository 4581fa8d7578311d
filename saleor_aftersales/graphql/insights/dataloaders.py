"""Request-scoped loaders of insights (constant SQL per list)."""

from __future__ import annotations

from ...insights.models import QualityAlertEvent
from ..core.dataloaders import DataLoader, grouped


class AlertEventsByAlertIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(
            QualityAlertEvent.objects.filter(alert_id__in=keys).order_by("created_at", "id"), keys, "alert_id"
        )
