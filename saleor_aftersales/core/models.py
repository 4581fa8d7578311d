"""Abstract bases shared by every domain app."""

from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EventRecord(models.Model):
    """An audit row: who did what and when. Every state change writes one (Saleor's OrderEvent style)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    type = models.CharField(max_length=64)
    actor_type = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=256, blank=True, default="")
    actor_email = models.CharField(max_length=256, blank=True, default="")
    actor_name = models.CharField(max_length=256, blank=True, default="")
    from_status = models.CharField(max_length=64, blank=True, default="")
    to_status = models.CharField(max_length=64, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ("created_at", "id")
