from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "installation",
        "operation",
        "status",
        "attempts",
        "next_attempt_at",
        "subject_type",
        "subject_id",
    )
    list_filter = ("status", "operation")
    search_fields = ("idempotency_key", "subject_id")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
