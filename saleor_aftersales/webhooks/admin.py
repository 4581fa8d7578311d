from django.contrib import admin

from .models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "installation",
        "event",
        "status",
        "issued_at",
        "received_at",
        "duplicates",
        "attempts",
    )
    list_filter = ("status", "event")
    search_fields = ("body_sha256",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
