"""The history of a merchant's configuration: who changed which policy, rule, reward or template, when, and how."""

from django.db import models

from ..core.models import EventRecord
from ..installations.models import InstallationScopedModel


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"


class ConfigurationChange(InstallationScopedModel, EventRecord):
    """One saved configuration row. `type` is the ChangeAction; `data["changes"]` maps each changed field to
    `[before, after]` (secrets masked). Append-only, like every audit row."""

    target_type = models.CharField(max_length=64)  # "warranty.Technician": see audit.tracking.TRACKED
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=256, blank=True, default="")

    class Meta(EventRecord.Meta):
        indexes = [
            models.Index(fields=["installation", "-created_at"], name="audit_change_recent_idx"),
            models.Index(fields=["installation", "target_type", "target_id"], name="audit_change_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.target_type} {self.target_id}"
