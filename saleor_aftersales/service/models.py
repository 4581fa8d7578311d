"""Service cases: one thread per customer matter (consultation or complaint), linked to what it is about.

A case moves through the states declared once in `state.py`; nothing else assigns `ServiceCase.status`.
Customer contact data and message bodies are encrypted at rest (`core.crypto.EncryptedTextField`); lookups
by email go through `customer_email_digest` (a keyed HMAC of the normalised address, see `personal_data.py`).
"""

from __future__ import annotations

from django.db import models

from ..core.crypto import EncryptedTextField
from ..core.models import EventRecord, TimestampedModel
from ..installations.models import InstallationScopedModel
from ..orders.models import Order


class CaseKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    COMPLAINT = "complaint", "Complaint"


class CaseChannel(models.TextChoices):
    STOREFRONT = "storefront", "Storefront"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone (logged by staff)"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social media"


class CasePriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class LinkedType(models.TextChoices):
    NONE = "", "Nothing"
    ORDER = "order", "Order (Saleor id)"
    RETURN_REQUEST = "return_request", "Return request"
    WARRANTY_CLAIM = "warranty_claim", "Warranty claim"
    REPAIR_ORDER = "repair_order", "Repair order"


class CaseSequence(InstallationScopedModel):
    """The last case number issued in an installation (locked row, so numbers never repeat)."""

    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation"], name="service_sequence_per_installation")
        ]


class ServiceCase(InstallationScopedModel, TimestampedModel):
    number = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=CaseKind.choices, default=CaseKind.CONSULTATION)
    channel = models.CharField(max_length=16, choices=CaseChannel.choices, default=CaseChannel.STOREFRONT)
    priority = models.CharField(max_length=8, choices=CasePriority.choices, default=CasePriority.NORMAL)
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.NEW)
    subject = models.CharField(max_length=200)
    language = models.CharField(max_length=16, default="en")

    # Who the case is for. Contact data is encrypted; the digest is what lookups match.
    customer_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    customer_email = EncryptedTextField(blank=True, default="")
    customer_email_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    customer_name = EncryptedTextField(blank=True, default="")
    customer_phone = EncryptedTextField(blank=True, default="")

    # What it is about: a generic reference (warranty is a sibling capability), plus the order when known.
    linked_type = models.CharField(max_length=32, choices=LinkedType.choices, blank=True, default="")
    linked_id = models.CharField(max_length=128, blank=True, default="")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    assignee_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    assignee_email = models.CharField(max_length=254, blank=True, default="")

    # Triage of the first message (knowledge.triage).
    intent = models.CharField(max_length=32, blank=True, default="")
    intent_confidence = models.FloatField(null=True, blank=True)

    last_message = models.ForeignKey(
        "ServiceMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    # What the customer last saw (internal notes excluded).
    last_public_message = models.ForeignKey(
        "ServiceMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    customer_replies_since_response = models.PositiveIntegerField(default=0)
    next_response_round = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    erased_at = models.DateTimeField(null=True, blank=True)
    # A staff form's token (Dashboard popups): the same submission twice opens one case.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "number"], name="service_case_number"),
            models.UniqueConstraint(
                fields=["installation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="service_case_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["installation", "status", "last_message_at"]),
            models.Index(fields=["installation", "customer_email_digest"]),
        ]

    def __str__(self) -> str:
        return self.number


class CaseTag(models.Model):
    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=48)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "tag"], name="service_case_tag_unique")]
        indexes = [models.Index(fields=["tag"])]

    def __str__(self) -> str:
        return self.tag


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", "Customer message"
    REPLY = "reply", "Staff reply"
    NOTE = "note", "Internal note"


class ServiceMessage(models.Model):
    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    author_type = models.CharField(max_length=16)
    author_id = models.CharField(max_length=256, blank=True, default="")
    author_email = models.CharField(max_length=254, blank=True, default="", help_text="Staff only")
    body = EncryptedTextField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


class ServiceAttachment(models.Model):
    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(ServiceMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="service/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ServiceCaseEvent(EventRecord):
    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        indexes = [models.Index(fields=["case", "created_at"])]


class EscalationRule(InstallationScopedModel, TimestampedModel):
    """What happens when a case clock breaches (metric "" = any metric).

    Raise the priority one step, reassign to a staff user, notify an address (the assignee when blank).
    """

    metric = models.CharField(max_length=32, blank=True, default="")
    raise_priority = models.BooleanField(default=True)
    reassign_to_user_id = models.CharField(max_length=128, blank=True, default="")
    reassign_to_email = models.CharField(max_length=254, blank=True, default="")
    notify_email = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "metric"], name="service_escalation_per_metric")
        ]
