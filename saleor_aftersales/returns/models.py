"""Return merchandise authorisations (RMA): policies, reasons, requests, lines, photos, timeline, settlements.

A request moves through the states declared once in `state.py`; nothing else assigns `ReturnRequest.status`.
Money is Decimal with the order's currency; every settlement with Saleor goes through the outbox.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ..core.models import EventRecord, TimestampedModel, UploadedFile
from ..core.money import amount_field, currency_field
from ..installations.models import InstallationScopedModel
from ..orders.models import Order, OrderLine


class WindowStart(models.TextChoices):
    FULFILLMENT = "fulfillment", "Fulfillment"
    DELIVERY = "delivery", "Delivery (falls back to fulfillment until known)"


class ReasonCategory(models.TextChoices):
    QUALITY = "quality", "Quality problem"
    NO_REASON = "no_reason", "No reason / changed mind"
    LOGISTICS = "logistics", "Logistics (transit damage, missing, wrong item)"
    OTHER = "other", "Other"


class Resolution(models.TextChoices):
    REFUND = "refund", "Refund to the original payment"
    STORE_CREDIT = "store_credit", "Store credit (gift card)"
    EXCHANGE = "exchange", "Exchange for another variant"
    REPAIR = "repair", "Repair"
    REPLACEMENT = "replacement", "Free replacement (claims)"


class RequestKind(models.TextChoices):
    RETURN = "return", "Return"
    EXCHANGE = "exchange", "Exchange"
    CLAIM = "claim", "Claim without a return"


class ShippingPayer(models.TextChoices):
    MERCHANT = "merchant", "Merchant"
    CUSTOMER = "customer", "Customer"


class RuleScope(models.TextChoices):
    PRODUCT = "product", "Product"
    CATEGORY = "category", "Category"
    PRODUCT_TYPE = "product_type", "Product type"


def _default_resolutions() -> list[str]:
    return [Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE, Resolution.REPLACEMENT]


def _default_shipping_payers() -> dict[str, str]:
    # Merchant pays for its own faults (quality, logistics); the customer pays for a change of mind.
    return {
        ReasonCategory.QUALITY: ShippingPayer.MERCHANT,
        ReasonCategory.LOGISTICS: ShippingPayer.MERCHANT,
        ReasonCategory.NO_REASON: ShippingPayer.CUSTOMER,
        ReasonCategory.OTHER: ShippingPayer.CUSTOMER,
    }


def _default_shipping_refund_categories() -> list[str]:
    return [ReasonCategory.QUALITY, ReasonCategory.LOGISTICS]


class ReturnPolicy(InstallationScopedModel, TimestampedModel):
    """The return terms of one channel (channel_slug "" = every channel without its own policy)."""

    channel_slug = models.CharField(max_length=128, blank=True, default="")
    window_days = models.PositiveIntegerField(default=30)
    window_starts = models.CharField(
        max_length=16, choices=WindowStart.choices, default=WindowStart.FULFILLMENT
    )
    # China's consumer-protection rule: 7 days without giving a reason for online purchases.
    no_reason_days = models.PositiveIntegerField(default=7)
    quality_window_days = models.PositiveIntegerField(default=90)
    final_sale = models.BooleanField(default=False)
    non_returnable = models.BooleanField(default=False)
    shipping_payers = models.JSONField(default=_default_shipping_payers, blank=True)
    refund_shipping_for_categories = models.JSONField(default=_default_shipping_refund_categories, blank=True)
    return_shipping_fee = amount_field()
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    evidence_required_reasons = models.JSONField(default=list, blank=True)
    offered_resolutions = models.JSONField(default=_default_resolutions, blank=True)
    store_credit_bonus_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    max_requests_per_customer = models.PositiveIntegerField(null=True, blank=True)
    abuse_period_days = models.PositiveIntegerField(default=90)
    auto_approve_max_value = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    auto_approve_trusted_customers = models.BooleanField(default=False)
    auto_approve_defects_with_photos = models.BooleanField(default=False)
    decision_sla_hours = models.PositiveIntegerField(default=48)
    refund_sla_hours = models.PositiveIntegerField(default=72)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "channel_slug"], name="returns_policy_per_channel"
            )
        ]


class ReturnPolicyRule(models.Model):
    """An override of a policy for one product, category or product type; empty fields inherit."""

    policy = models.ForeignKey(ReturnPolicy, on_delete=models.CASCADE, related_name="rules")
    scope = models.CharField(max_length=16, choices=RuleScope.choices)
    target_id = models.CharField(max_length=128, help_text="Saleor global id of the product/category/type")
    window_days = models.PositiveIntegerField(null=True, blank=True)
    no_reason_days = models.PositiveIntegerField(null=True, blank=True)
    quality_window_days = models.PositiveIntegerField(null=True, blank=True)
    final_sale = models.BooleanField(null=True, blank=True)
    non_returnable = models.BooleanField(null=True, blank=True)
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    offered_resolutions = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "scope", "target_id"], name="returns_rule_unique_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.target_id}"


class ReturnReason(InstallationScopedModel, TimestampedModel):
    """A merchant's reason (or an override of a built-in one, by code); see `reasons.DEFAULT_REASONS`."""

    code = models.SlugField(max_length=64)
    parent_code = models.SlugField(max_length=64, blank=True, default="")
    category = models.CharField(max_length=16, choices=ReasonCategory.choices, default=ReasonCategory.OTHER)
    label_en = models.CharField(max_length=200)
    label_zh_hans = models.CharField(max_length=200)
    saleor_reason = models.CharField(
        max_length=200, blank=True, default="", help_text="Saleor per-line reason text"
    )
    requires_evidence = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation", "code"], name="returns_reason_code")]


class ReturnSequence(InstallationScopedModel):
    """The last RMA number issued in an installation (locked row, so numbers never repeat)."""

    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation"], name="returns_sequence_per_installation")
        ]


class ReturnWindow(models.Model):
    """When the return window of an order line started (set from ORDER_FULFILLED / FULFILLMENT_CREATED)."""

    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="return_window")
    fulfilled_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"return window of order line {self.order_line_id}"


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    REJECTED = "rejected", "Rejected"
    IN_TRANSIT = "in_transit", "On its way back"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    INSPECTED = "inspected", "Inspected"
    RESOLVING = "resolving", "Settlement pending"
    SETTLEMENT_FAILED = "settlement_failed", "Settlement failed"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed"


class ReturnRequest(InstallationScopedModel, TimestampedModel):
    number = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=RequestKind.choices, default=RequestKind.RETURN)
    status = models.CharField(max_length=24, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="return_requests")
    channel_slug = models.CharField(max_length=128, blank=True, default="")
    currency = currency_field()
    customer_user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    customer_email = models.EmailField(max_length=254, db_index=True)
    language = models.CharField(max_length=16, default="en")
    resolution = models.CharField(max_length=16, choices=Resolution.choices)
    customer_comment = models.TextField(blank=True, default="")
    decision_note = models.TextField(blank=True, default="")
    auto_approved = models.BooleanField(default=False)
    carrier = models.CharField(max_length=64, blank=True, default="")
    tracking_number = models.CharField(max_length=128, blank=True, default="")
    pickup_address = models.JSONField(null=True, blank=True)
    pickup_window_start = models.DateTimeField(null=True, blank=True)
    pickup_window_end = models.DateTimeField(null=True, blank=True)
    # Settlement figures computed at resolve time (Decimal, order currency).
    refund_amount = amount_field()
    store_credit_amount = amount_field()
    exchange_difference = amount_field()
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The next promised step (shown to the customer), kept in step with the SLA clocks.
    next_step_due_at = models.DateTimeField(null=True, blank=True)
    primary_reason_code = models.SlugField(max_length=64, blank=True, default="")
    # A staff form's token (Dashboard order popup): the same submission twice creates one request.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "number"], name="returns_rma_number"),
            models.UniqueConstraint(
                fields=["installation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="returns_request_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["installation", "status", "created_at"]),
            models.Index(fields=["installation", "customer_email", "created_at"]),
            models.Index(fields=["installation", "customer_user_id", "created_at"]),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.number


class ItemCondition(models.TextChoices):
    UNOPENED = "unopened", "Unopened"
    OPENED = "opened", "Opened"
    DAMAGED = "damaged", "Damaged"


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    reason_code = models.SlugField(max_length=64)
    reason_category = models.CharField(max_length=16, choices=ReasonCategory.choices)
    comment = models.TextField(blank=True, default="")
    approved_quantity = models.PositiveIntegerField(default=0)
    received_quantity = models.PositiveIntegerField(default=0)
    condition = models.CharField(max_length=16, choices=ItemCondition.choices, blank=True, default="")
    restock = models.BooleanField(null=True, blank=True)
    inspector_note = models.TextField(blank=True, default="")
    exchange_variant_id = models.CharField(max_length=128, blank=True, default="")
    exchange_unit_price = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.quantity} x order line {self.order_line_id} ({self.reason_code})"


class ReturnPhoto(UploadedFile):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    line = models.ForeignKey(
        ReturnLine, on_delete=models.CASCADE, related_name="photos", null=True, blank=True
    )
    file = models.FileField(upload_to="returns/%Y/%m/")


class ReturnEvent(EventRecord):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        indexes = [models.Index(fields=["request", "created_at"])]


class SettlementKind(models.TextChoices):
    REFUND = "refund", "Refund"
    STORE_CREDIT = "store_credit", "Store credit"
    EXCHANGE = "exchange", "Exchange"
    REPLACEMENT = "replacement", "Replacement"
    RETURN_RECORD = "return_record", "Returned lines recorded in Saleor"


class SettlementStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Settlement(TimestampedModel):
    """One money/stock operation in Saleor for a request, tied to the outbox messages that carry it."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="settlements")
    kind = models.CharField(max_length=16, choices=SettlementKind.choices)
    status = models.CharField(
        max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.PENDING
    )
    amount = amount_field()
    currency = currency_field()
    idempotency_key = models.CharField(max_length=200)
    outbox_message_ids = models.JSONField(default=list, blank=True)
    saleor_granted_refund_id = models.CharField(max_length=128, blank=True, default="")
    saleor_gift_card_id = models.CharField(max_length=128, blank=True, default="")
    saleor_draft_order_id = models.CharField(max_length=128, blank=True, default="")
    includes_shipping = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "idempotency_key"], name="returns_settlement_unique_key"
            )
        ]
        ordering = ("id",)
