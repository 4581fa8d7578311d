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


class UploadedFile(models.Model):
    """A customer's or staff's upload (photo, receipt): its type sniffed from the bytes and its size, checked by
    `core.uploads.check_upload`. Subclasses add `file = models.FileField(upload_to=...)` and their owner."""

    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("id",)

    def __str__(self) -> str:
        return self.file.name  # type: ignore[attr-defined]
