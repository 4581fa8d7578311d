"""A local mirror of the Saleor orders the app has heard about (from order webhooks).

Domain apps read orders, lines and fulfillments from here instead of calling Saleor on every request. The
mirror only moves forward: a payload older than the stored one (Saleor renders deferred payloads late and
may deliver out of order) never overwrites newer data.
"""

from __future__ import annotations

from django.db import models

from ..core.models import TimestampedModel
from ..core.money import amount_field, currency_field
from ..installations.models import InstallationScopedModel


class Order(InstallationScopedModel, TimestampedModel):
    saleor_id = models.CharField(max_length=128)
    number = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=32, blank=True, default="")
    charge_status = models.CharField(max_length=32, blank=True, default="")
    is_paid = models.BooleanField(default=False)
    channel_slug = models.CharField(max_length=128, blank=True, default="")
    channel_id = models.CharField(max_length=128, blank=True, default="")
    currency = currency_field(default="USD")
    user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    user_email = models.EmailField(max_length=254, blank=True, default="", db_index=True)
    language_code = models.CharField(max_length=16, blank=True, default="en")
    total_gross = amount_field()
    total_net = amount_field()
    subtotal_gross = amount_field()
    subtotal_net = amount_field()
    shipping_gross = amount_field()
    shipping_net = amount_field()
    total_charged = amount_field()
    total_refunded = amount_field()
    placed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # issuedAt of the newest event applied; older payloads are ignored.
    synced_from_issued_at = models.DateTimeField(null=True, blank=True)
    transactions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "saleor_id"], name="orders_order_unique")
        ]
        indexes = [
            models.Index(fields=["installation", "number"]),
            models.Index(fields=["installation", "user_email"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    saleor_id = models.CharField(max_length=128)
    product_name = models.CharField(max_length=386, blank=True, default="")
    variant_name = models.CharField(max_length=255, blank=True, default="")
    sku = models.CharField(max_length=255, blank=True, default="")
    variant_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    product_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    product_type_id = models.CharField(max_length=128, blank=True, default="")
    product_type_name = models.CharField(max_length=255, blank=True, default="")
    category_id = models.CharField(max_length=128, blank=True, default="")
    category_name = models.CharField(max_length=255, blank=True, default="")
    product_metadata = models.JSONField(default=dict, blank=True)
    product_attributes = models.JSONField(
        default=dict, blank=True, help_text="{attribute slug: [value slugs]}"
    )
    thumbnail_url = models.URLField(max_length=1024, blank=True, default="")
    quantity = models.PositiveIntegerField(default=0)
    quantity_fulfilled = models.PositiveIntegerField(default=0)
    is_gift = models.BooleanField(default=False)
    unit_price_gross = amount_field()
    unit_price_net = amount_field()
    total_price_gross = amount_field()
    total_price_net = amount_field()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "saleor_id"], name="orders_line_unique")]
        ordering = ("id",)

    def __str__(self) -> str:
        return f"OrderLine {self.saleor_id}"


class Fulfillment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfillments")
    saleor_id = models.CharField(max_length=128)
    status = models.CharField(max_length=32, blank=True, default="")
    tracking_number = models.CharField(max_length=255, blank=True, default="")
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "saleor_id"], name="orders_fulfillment_unique")
        ]
        ordering = ("id",)

    def __str__(self) -> str:
        return f"Fulfillment {self.saleor_id}"


class FulfillmentLine(models.Model):
    fulfillment = models.ForeignKey(Fulfillment, on_delete=models.CASCADE, related_name="lines")
    saleor_id = models.CharField(max_length=128)
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfillment_lines")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fulfillment", "saleor_id"], name="orders_fulfillment_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"FulfillmentLine {self.saleor_id}"


class GrantedRefund(models.Model):
    """Saleor's OrderGrantedRefund: what was refunded per line (status SUCCESS means money moved)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="granted_refunds")
    saleor_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, blank=True, default="")
    amount = amount_field()
    reason = models.TextField(blank=True, default="")
    shipping_costs_included = models.BooleanField(default=False)
    lines = models.JSONField(default=list, blank=True, help_text="[{order_line_id, quantity}]")
    granted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "saleor_id"], name="orders_granted_refund_unique")
        ]

    def __str__(self) -> str:
        return f"GrantedRefund {self.saleor_id}"


class Customer(InstallationScopedModel, TimestampedModel):
    """A Saleor customer the app has heard of (CUSTOMER_CREATED/UPDATED, or an order)."""

    saleor_id = models.CharField(max_length=128)
    email = models.EmailField(max_length=254, db_index=True)
    first_name = models.CharField(max_length=256, blank=True, default="")
    last_name = models.CharField(max_length=256, blank=True, default="")
    language_code = models.CharField(max_length=16, blank=True, default="en")
    metadata = models.JSONField(default=dict, blank=True)
    date_joined = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "saleor_id"], name="orders_customer_unique")
        ]
