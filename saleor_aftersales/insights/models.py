"""Insights: daily rollups of sales and returns, quality alerts, policy simulations, per-installation settings.

The rollups are derived data: `rollups.refresh_rollups` rebuilds any day from the domain tables (idempotent), so a
row here is never edited by hand. Each rollup table has two grains in one table: `total` rows (no product
dimensions, what the overview reads) and `variant` rows (per product variant, for product/category filters, top
lists and quality alerts). Keeping both in one table keeps the refresh a single delete + insert per day.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ..core.models import EventRecord, TimestampedModel
from ..core.money import amount_field, currency_field
from ..installations.models import InstallationScopedModel


def _default_defect_categories() -> list[str]:
    return ["quality"]


class InsightsSettings(InstallationScopedModel, TimestampedModel):
    """What the merchant configures: who gets the weekly digest, and how alerts are tested."""

    digest_emails = models.JSONField(default=list, blank=True)
    digest_language = models.CharField(max_length=16, default="en")
    # The Saleor product attribute (slug) whose first value names the supplier, e.g. "supplier" or "brand".
    supplier_attribute = models.SlugField(max_length=128, blank=True, default="")
    defect_reason_categories = models.JSONField(default=_default_defect_categories, blank=True)
    recent_window_days = models.PositiveIntegerField(default=28)
    baseline_days = models.PositiveIntegerField(default=182)
    # False discovery rate across all SKUs/categories/suppliers tested in one sweep (Benjamini–Hochberg).
    alpha = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.05"))
    min_units = models.PositiveIntegerField(default=30)
    min_defects = models.PositiveIntegerField(default=3)
    min_lift = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1.50"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation"], name="insights_settings_per_installation")
        ]


class RollupState(InstallationScopedModel):
    """How fresh the rollups of an installation are: every change before `watermark` is in them."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_days_recomputed = models.PositiveIntegerField(default=0)
    last_duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["installation"], name="insights_rollup_state_unique")]


class Grain(models.TextChoices):
    TOTAL = "total", "All products"
    VARIANT = "variant", "Per product variant"


class _ProductDimensions(models.Model):
    """Empty on `total` rows."""

    product_id = models.CharField(max_length=128, blank=True, default="")
    variant_id = models.CharField(max_length=128, blank=True, default="")
    sku = models.CharField(max_length=255, blank=True, default="")
    product_name = models.CharField(max_length=386, blank=True, default="")
    variant_name = models.CharField(max_length=255, blank=True, default="")
    category_id = models.CharField(max_length=128, blank=True, default="")
    category_name = models.CharField(max_length=255, blank=True, default="")
    supplier = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        abstract = True


class DailyRollup(InstallationScopedModel, _ProductDimensions):
    """What shipped on a day and what was asked back on a day, per key (the overview's main table).

    Units ship on the line's first FULFILLED fulfillment (else the order's fulfilled_at); returns count on the day the
    request was made. Durations are line-weighted histograms (`kpis.BUCKET_EDGES_HOURS`): a request of three lines
    counts three times, so "time to decision" reads as "time until a returned item was decided".
    """

    grain = models.CharField(max_length=8, choices=Grain.choices)
    day = models.DateField()
    channel_slug = models.CharField(max_length=128, blank=True, default="")
    currency = currency_field()
    fulfilled_units = models.PositiveIntegerField(default=0)
    order_lines = models.PositiveIntegerField(default=0)
    revenue = amount_field(help_text="Gross value of the fulfilled units.")
    requests = models.PositiveIntegerField(default=0)
    approved_requests = models.PositiveIntegerField(default=0)
    rejected_requests = models.PositiveIntegerField(default=0)
    auto_approved_requests = models.PositiveIntegerField(default=0)
    return_lines = models.PositiveIntegerField(default=0)
    requested_units = models.PositiveIntegerField(default=0)
    returned_units = models.PositiveIntegerField(default=0)
    defect_units = models.PositiveIntegerField(default=0, help_text="Requested units with a defect reason.")
    refund_amount = amount_field()
    store_credit_amount = amount_field()
    decision_hours = models.JSONField(default=list, blank=True)
    receipt_hours = models.JSONField(default=list, blank=True)
    refund_hours = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # Covering (PostgreSQL): top products over a period are an index-only scan of the variant rows.
            models.Index(
                fields=["installation", "grain", "day"],
                name="ins_daily_grain_day_cov",
                include=[
                    "variant_id",
                    "fulfilled_units",
                    "returned_units",
                    "requested_units",
                    "defect_units",
                ],
            ),
            models.Index(fields=["installation", "variant_id", "day"], name="ins_daily_variant_day"),
            models.Index(fields=["installation", "product_id", "day"], name="ins_daily_product_day"),
            models.Index(fields=["installation", "category_id", "day"], name="ins_daily_category_day"),
        ]

    def __str__(self) -> str:
        return f"sales {self.day} {self.grain} {self.variant_id or '*'}"


class DailyReasonRollup(InstallationScopedModel, _ProductDimensions):
    """Return lines by reason and resolution per day the request was made (top reasons, resolution mix)."""

    grain = models.CharField(max_length=8, choices=Grain.choices)
    day = models.DateField()
    channel_slug = models.CharField(max_length=128, blank=True, default="")
    currency = currency_field()
    reason_code = models.CharField(max_length=64)
    reason_category = models.CharField(max_length=16)
    resolution = models.CharField(max_length=16)
    requests = models.PositiveIntegerField(default=0, help_text="Requests, counted once on their first line.")
    lines = models.PositiveIntegerField(default=0)
    requested_units = models.PositiveIntegerField(default=0)
    returned_units = models.PositiveIntegerField(default=0)
    refund_amount = amount_field()
    store_credit_amount = amount_field()

    class Meta:
        indexes = [
            models.Index(fields=["installation", "grain", "day"], name="ins_reason_grain_day"),
            models.Index(fields=["installation", "variant_id", "day"], name="ins_reason_variant_day"),
            models.Index(fields=["installation", "product_id", "day"], name="ins_reason_product_day"),
            models.Index(fields=["installation", "category_id", "day"], name="ins_reason_category_day"),
        ]

    def __str__(self) -> str:
        return f"returns {self.day} {self.grain} {self.variant_id or '*'} {self.reason_code}"


class AlertLevel(models.TextChoices):
    SKU = "sku", "SKU (product variant)"
    CATEGORY = "category", "Category"
    SUPPLIER = "supplier", "Supplier"


class AlertComparison(models.TextChoices):
    BASELINE = "baseline", "Its own baseline"
    CATEGORY = "category", "Its category"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class QualityAlert(InstallationScopedModel, TimestampedModel):
    """A significant jump of the defect-return rate of one SKU, category or supplier, with its evidence."""

    level = models.CharField(max_length=16, choices=AlertLevel.choices)
    key = models.CharField(max_length=255, help_text="Variant id, category id or supplier name.")
    label = models.CharField(max_length=512, blank=True, default="")
    comparison = models.CharField(max_length=16, choices=AlertComparison.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    window_start = models.DateField()
    window_end = models.DateField()
    units = models.PositiveIntegerField()
    defects = models.PositiveIntegerField()
    rate = models.FloatField()
    expected_rate = models.FloatField()
    lift = models.FloatField()
    p_value = models.FloatField()
    adjusted_p_value = models.FloatField(help_text="Benjamini–Hochberg adjusted across the sweep.")
    evidence = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=256, blank=True, default="")
    acknowledge_note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "level", "key", "window_end"], name="insights_alert_per_window"
            )
        ]
        indexes = [models.Index(fields=["installation", "status", "created_at"])]
        ordering = ("-created_at", "-id")


class QualityAlertEvent(EventRecord):
    alert = models.ForeignKey(QualityAlert, on_delete=models.CASCADE, related_name="events")


class SimulationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SimulationRun(InstallationScopedModel, TimestampedModel):
    """One replay of past return requests under a proposed policy, compared with the current one."""

    status = models.CharField(
        max_length=16, choices=SimulationStatus.choices, default=SimulationStatus.QUEUED
    )
    channel_slug = models.CharField(max_length=128, blank=True, default="")
    months = models.PositiveIntegerField()
    proposal = models.JSONField(default=dict)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    total_requests = models.PositiveIntegerField(default=0)
    processed_requests = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    requested_by = models.CharField(max_length=256, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    @property
    def progress(self) -> float:
        if self.status == SimulationStatus.SUCCEEDED:
            return 1.0
        if not self.total_requests:
            return 0.0
        return min(self.processed_requests / self.total_requests, 1.0)


class SimulationRunEvent(EventRecord):
    run = models.ForeignKey(SimulationRun, on_delete=models.CASCADE, related_name="events")
