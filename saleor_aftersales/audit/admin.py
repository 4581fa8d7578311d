from django.contrib import admin

from .models import ConfigurationChange


@admin.register(ConfigurationChange)
class ConfigurationChangeAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only (rows go only with their installation)."""

    list_display = ("created_at", "installation", "target_type", "target_id", "type", "actor_email")
    list_filter = ("type", "target_type")
    search_fields = ("target_label", "actor_email", "target_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
