"""One Installation per Saleor API URL. Every domain row belongs to exactly one installation."""

from __future__ import annotations

from django.db import models

from ..core.crypto import EncryptedTextField
from ..core.models import TimestampedModel


class Installation(TimestampedModel):
    saleor_api_url = models.URLField(max_length=512, unique=True)
    saleor_domain = models.CharField(max_length=256, blank=True, default="")
    app_id = models.CharField(max_length=256, help_text="Saleor's global id of this app in that Saleor")
    # The long-lived app token, encrypted at rest. Never exposed through any API.
    auth_token = EncryptedTextField()
    jwks = models.JSONField(default=dict, blank=True)
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)
    saleor_version = models.CharField(max_length=32, blank=True, default="")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.saleor_api_url

    @property
    def saleor_origin(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.saleor_api_url)
        return f"{parts.scheme}://{parts.netloc}"


class InstallationScopedModel(models.Model):
    """Base for every domain row: tenancy is a column, never an afterthought."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
