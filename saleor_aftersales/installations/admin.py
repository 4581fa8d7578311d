from django.contrib import admin

from .models import Installation


@admin.register(Installation)
class InstallationAdmin(admin.ModelAdmin):
    list_display = ("id", "saleor_api_url", "app_id", "saleor_version", "is_active", "created_at")
    # The token is never shown, not even to superusers.
    exclude = ("auth_token",)
    readonly_fields = (
        "saleor_api_url",
        "saleor_domain",
        "app_id",
        "jwks",
        "jwks_fetched_at",
        "saleor_version",
    )
