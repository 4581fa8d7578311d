"""Reads of the configuration history."""

from __future__ import annotations

from django.db.models import QuerySet

from ..installations.models import Installation
from .models import ConfigurationChange


def recent_changes(
    installation: Installation, *, target_type: str = "", target_id: str = ""
) -> QuerySet[ConfigurationChange]:
    rows = ConfigurationChange.objects.filter(installation=installation)
    if target_type:
        rows = rows.filter(target_type=target_type)
    if target_id:
        rows = rows.filter(target_id=target_id)
    return rows.order_by("-created_at", "-id")
