"""Warranty and repair: terms, warranties (one per fulfilled unit), transfers, claims, repair orders through a
service network, settlements in Saleor, care guides and maintenance reminders.

Claims and repair orders move through the state machines declared once in `state.py`; nothing else assigns
their `status`. Money is Decimal with a currency; every change in Saleor goes through the outbox.
"""

from __future__ import annotations

from django.db import models

from ..core.models import EventRecord, TimestampedModel, UploadedFile
from ..core.money import amount_field, currency_field
from ..installations.models import InstallationScopedModel
from ..orders.models import FulfillmentLine, Order, OrderLine


class TermsScope(models.TextChoices):
    PRODUCT = "product", "Product"
    CATEGORY = "category", "Category"
    PRODUCT_TYPE = "product_type", "Product type"
    DEFAULT = "default", "Every product without more specific terms"


class Remedy(models.TextChoices):
    REPAIR = "repair", "Repair"
    REPLACE = "replace", "Replace"
    REFUND = "refund", "Refund"


def _default_remedies() -> list[str]:
    return [Remedy.REPAIR, Remedy.REPLACE, Remedy.REFUND]


class WarrantyTerms(InstallationScopedModel, TimestampedModel):
    """What a warranty covers, for a product, category, product type or by default (target_id "")."""

    scope = models.CharField(max_length=16, choices=TermsScope.choices, default=TermsScope.DEFAULT)
    target_id = models.CharField(max_length=128, blank=True, default="", help_text="Saleor global id")
    name = models.CharField(max_length=200)
    duration_months = models.PositiveIntegerField(default=12)
    covered_issues = models.JSONField(default=list, blank=True, help_text="symptom codes")
    excluded_issues = models.JSONField(default=list, blank=True, help_text="symptom codes")
    # Repair-or-replace rules: remedies in order of preference, and how many repairs before a replacement.
    remedies = models.JSONField(default=_default_remedies, blank=True)
    max_repairs_before_replace = models.PositiveIntegerField(default=2)
    text_en = models.TextField(blank=True, default="")
    text_zh_hans = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "scope", "target_id"], name="warranty_terms_unique_target"
            )
        ]
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class WarrantySettings(InstallationScopedModel, TimestampedModel):
    """Per installation: where the duration may be read from Saleor, reminders, paid repairs, turnaround."""

    duration_metadata_key = models.CharField(max_length=128, blank=True, default="")
    duration_attribute_slug = models.CharField(max_length=128, blank=True, default="")
    reminders_enabled = models.BooleanField(default=True)
    reminder_interval_months = models.PositiveIntegerField(default=6)
    repair_service_variant_id = models.CharField(
        max_length=128, blank=True, default="", help_text="Saleor variant billed for paid repairs"
    )
    default_turnaround_days = models.PositiveIntegerField(default=10)
    # {category id: days}; "" is not used (default_turnaround_days is).
    turnaround_days_by_category = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation"], name="warranty_settings_per_installation")
        ]


class WarrantySymptom(InstallationScopedModel, TimestampedModel):
    """A merchant's symptom (or an override of a built-in one by code); see `symptoms.DEFAULT_SYMPTOMS`."""

    code = models.SlugField(max_length=64)
    label_en = models.CharField(max_length=200)
    label_zh_hans = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "code"], name="warranty_symptom_code")]


class Sequence(InstallationScopedModel):
    """The last number issued per kind (claims WC-, repair orders RO-) in an installation."""

    kind = models.CharField(max_length=8)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "kind"], name="warranty_sequence_per_kind")
        ]


class WarrantySource(models.TextChoices):
    ORDER = "order", "Saleor order"
    EXTERNAL = "external", "Bought elsewhere"


class WarrantyStatus(models.TextChoices):
    PENDING_VERIFICATION = "pending_verification", "Awaiting verification"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Registration rejected"
    VOIDED = "voided", "Voided"


class Warranty(InstallationScopedModel, TimestampedModel):
    source = models.CharField(max_length=16, choices=WarrantySource.choices, default=WarrantySource.ORDER)
    status = models.CharField(max_length=24, choices=WarrantyStatus.choices, default=WarrantyStatus.ACTIVE)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="warranties", null=True, blank=True
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="warranties", null=True, blank=True
    )
    fulfillment_line = models.ForeignKey(
        FulfillmentLine, on_delete=models.PROTECT, related_name="warranties", null=True, blank=True
    )
    unit_index = models.PositiveIntegerField(default=0)
    customer_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    customer_email = models.EmailField(max_length=254, db_index=True)
    language = models.CharField(max_length=16, default="en")
    product_name = models.CharField(max_length=386, blank=True, default="")
    variant_name = models.CharField(max_length=255, blank=True, default="")
    sku = models.CharField(max_length=255, blank=True, default="")
    product_id = models.CharField(max_length=128, blank=True, default="")
    variant_id = models.CharField(max_length=128, blank=True, default="")
    product_type_id = models.CharField(max_length=128, blank=True, default="")
    product_type_name = models.CharField(max_length=255, blank=True, default="")
    category_id = models.CharField(max_length=128, blank=True, default="")
    unit_price = amount_field()
    currency = currency_field(default="USD")
    serial_number = models.CharField(max_length=128, blank=True, default="")
    purchased_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    terms = models.ForeignKey(
        WarrantyTerms, on_delete=models.SET_NULL, related_name="warranties", null=True, blank=True
    )
    # What the customer was promised at registration; later edits of the terms do not change it.
    terms_snapshot = models.JSONField(default=dict, blank=True)
    store_name = models.CharField(max_length=200, blank=True, default="")
    verification_note = models.TextField(blank=True, default="")
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminders_sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fulfillment_line", "unit_index"],
                name="warranty_one_per_fulfilled_unit",
                condition=models.Q(fulfillment_line__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["installation", "customer_user_id", "created_at"]),
            models.Index(fields=["installation", "customer_email", "created_at"]),
            models.Index(fields=["installation", "status", "created_at"]),
        ]
        ordering = ("-starts_at", "-id")
        verbose_name_plural = "warranties"

    def __str__(self) -> str:
        return f"warranty {self.pk} {self.product_name}"


class WarrantyProof(UploadedFile):
    warranty = models.ForeignKey(Warranty, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to="warranty/proofs/%Y/%m/")


class WarrantyEvent(EventRecord):
    warranty = models.ForeignKey(Warranty, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        indexes = [models.Index(fields=["warranty", "created_at"])]


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    CANCELLED = "cancelled", "Cancelled"


class WarrantyTransfer(TimestampedModel):
    warranty = models.ForeignKey(Warranty, on_delete=models.CASCADE, related_name="transfers")
    from_email = models.EmailField(max_length=254)
    to_email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by_user_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["warranty"],
                condition=models.Q(status="pending"),
                name="warranty_one_pending_transfer",
            )
        ]


class Coverage(models.TextChoices):
    COVERED = "covered", "Covered"
    OUT_OF_TERM = "out_of_term", "Warranty expired"
    NOT_COVERED = "not_covered", "Issue not covered"
    OVERRIDDEN = "overridden", "Covered by staff override"


class ClaimDecision(models.TextChoices):
    REPAIR = "repair", "Repair under warranty"
    REPLACE = "replace", "Replace"
    REFUND = "refund", "Refund"
    REJECT = "reject", "Reject"
    PAID_REPAIR = "paid_repair", "Paid repair (quote)"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REPAIR = "in_repair", "In repair"
    SETTLING = "settling", "Settlement pending"
    SETTLEMENT_FAILED = "settlement_failed", "Settlement failed"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed (quote declined)"


class WarrantyClaim(InstallationScopedModel, TimestampedModel):
    number = models.CharField(max_length=32)
    warranty = models.ForeignKey(Warranty, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=24, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    symptom_code = models.SlugField(max_length=64)
    description = models.TextField(blank=True, default="")
    coverage = models.CharField(max_length=16, choices=Coverage.choices)
    decision = models.CharField(max_length=16, choices=ClaimDecision.choices, blank=True, default="")
    decision_note = models.TextField(blank=True, default="")
    customer_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    customer_email = models.EmailField(max_length=254, db_index=True)
    language = models.CharField(max_length=16, default="en")
    currency = currency_field(default="USD")
    refund_amount = amount_field()
    decided_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # A staff form's token (Dashboard order popup): the same submission twice files one claim.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "number"], name="warranty_claim_number"),
            models.UniqueConstraint(
                fields=["installation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="warranty_claim_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["installation", "status", "created_at"]),
            models.Index(fields=["warranty", "status"]),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.number


class ClaimPhoto(UploadedFile):
    claim = models.ForeignKey(WarrantyClaim, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="warranty/claims/%Y/%m/")


class ClaimEvent(EventRecord):
    claim = models.ForeignKey(WarrantyClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        indexes = [models.Index(fields=["claim", "created_at"])]


class ServiceCenter(InstallationScopedModel, TimestampedModel):
    name = models.CharField(max_length=200)
    address = models.JSONField(default=dict, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.JSONField(default=dict, blank=True, help_text='{"mon": "09:00-18:00", ...}')
    category_ids = models.JSONField(default=list, blank=True, help_text="Saleor categories handled; [] = all")
    capacity = models.PositiveIntegerField(default=10, help_text="open repair orders at a time")
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=64, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class Technician(InstallationScopedModel, TimestampedModel):
    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="technicians")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, default="")
    skills = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class RepairStatus(models.TextChoices):
    AWAITING_ITEM = "awaiting_item", "Awaiting item"
    RECEIVED = "received", "Received"
    DIAGNOSING = "diagnosing", "Diagnosing"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting customer approval"
    AWAITING_PARTS = "awaiting_parts", "Awaiting parts"
    REPAIRING = "repairing", "Repairing"
    QUALITY_CHECK = "quality_check", "Quality check"
    SHIPPED_BACK = "shipped_back", "Shipped back"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    UNREPAIRABLE = "unrepairable", "Unrepairable"


class QuoteStatus(models.TextChoices):
    NONE = "none", "No quote"
    PENDING = "pending", "Awaiting the customer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class RepairOrder(InstallationScopedModel, TimestampedModel):
    number = models.CharField(max_length=32)
    status = models.CharField(max_length=24, choices=RepairStatus.choices, default=RepairStatus.AWAITING_ITEM)
    claim = models.ForeignKey(
        WarrantyClaim, on_delete=models.PROTECT, related_name="repair_orders", null=True, blank=True
    )
    warranty = models.ForeignKey(
        Warranty, on_delete=models.PROTECT, related_name="repair_orders", null=True, blank=True
    )
    return_request_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="repair_orders", null=True, blank=True
    )
    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, related_name="repair_orders", null=True, blank=True
    )
    technician = models.ForeignKey(
        Technician, on_delete=models.SET_NULL, related_name="repair_orders", null=True, blank=True
    )
    is_paid = models.BooleanField(default=False, help_text="The customer pays (out of warranty)")
    product_name = models.CharField(max_length=386, blank=True, default="")
    category_id = models.CharField(max_length=128, blank=True, default="")
    customer_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    customer_email = models.EmailField(max_length=254, db_index=True)
    language = models.CharField(max_length=16, default="en")
    currency = currency_field(default="USD")
    diagnosis = models.TextField(blank=True, default="")
    quote_status = models.CharField(max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.NONE)
    quote_amount = amount_field()
    inbound_carrier = models.CharField(max_length=64, blank=True, default="")
    inbound_tracking = models.CharField(max_length=128, blank=True, default="")
    outbound_carrier = models.CharField(max_length=64, blank=True, default="")
    outbound_tracking = models.CharField(max_length=128, blank=True, default="")
    turnaround_days = models.PositiveIntegerField(default=10)
    promised_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "number"], name="warranty_repair_number")
        ]
        indexes = [
            models.Index(fields=["installation", "status", "created_at"]),
            models.Index(fields=["installation", "center", "status"]),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.number


class RepairLineKind(models.TextChoices):
    PART = "part", "Part"
    LABOUR = "labour", "Labour"


class RepairLine(models.Model):
    repair_order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8, choices=RepairLineKind.choices)
    description = models.CharField(max_length=255)
    sku = models.CharField(max_length=255, blank=True, default="")
    quantity = models.DecimalField(max_digits=10, decimal_places=2, help_text="units, or hours of labour")
    unit_cost = amount_field()
    covered = models.BooleanField(
        default=True, help_text="Covered by the warranty (the customer pays nothing)"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"


class RepairEvent(EventRecord):
    repair_order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        indexes = [models.Index(fields=["repair_order", "created_at"])]


class SettlementKind(models.TextChoices):
    REPLACEMENT = "replacement", "Replacement (zero-price draft order)"
    REFUND = "refund", "Refund (granted refund)"
    PAID_REPAIR = "paid_repair", "Paid repair (draft order the customer pays)"


class SettlementStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WarrantySettlement(InstallationScopedModel, TimestampedModel):
    claim = models.ForeignKey(
        WarrantyClaim, on_delete=models.CASCADE, related_name="settlements", null=True, blank=True
    )
    repair_order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="settlements", null=True, blank=True
    )
    kind = models.CharField(max_length=16, choices=SettlementKind.choices)
    status = models.CharField(
        max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.PENDING
    )
    amount = amount_field()
    currency = currency_field()
    idempotency_key = models.CharField(max_length=200)
    outbox_message_ids = models.JSONField(default=list, blank=True)
    saleor_draft_order_id = models.CharField(max_length=128, blank=True, default="")
    saleor_granted_refund_id = models.CharField(max_length=128, blank=True, default="")
    # Paid repairs: when Saleor reported the draft order it billed fully paid (ORDER_FULLY_PAID).
    paid_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "idempotency_key"], name="warranty_settlement_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["installation", "saleor_draft_order_id"], name="warranty_settle_draft_idx")
        ]
        ordering = ("id",)


class CareGuide(InstallationScopedModel, TimestampedModel):
    """Care knowledge per product type or category (staff-editable; a row with a built-in code overrides it)."""

    code = models.SlugField(max_length=64)
    product_type_ids = models.JSONField(default=list, blank=True)
    category_ids = models.JSONField(default=list, blank=True, help_text="Saleor categories")
    match_keywords = models.JSONField(default=list, blank=True, help_text="matched in the product type name")
    title_en = models.CharField(max_length=200)
    title_zh_hans = models.CharField(max_length=200)
    # [{"topic": "cleaning", "title_en", "title_zh_hans", "body_en", "body_zh_hans"}]
    sections = models.JSONField(default=list, blank=True)
    reminder_interval_months = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "code"], name="warranty_care_guide_code")
        ]
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code
