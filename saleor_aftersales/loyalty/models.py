"""Loyalty: programme per channel, accounts, an append-only ledger, lots with their own expiry, rewards, claims.

Points are integers. Every change of a balance is a `LedgerEntry` (never updated or deleted) carrying its
signed `available_delta` / `pending_delta`; the account's `available_points` / `pending_points` are a cache of
those sums, written in the same transaction under the account's row lock (tests prove they always agree).
Points live in `Lot`s (pending -> available -> consumed / expired / reversed), each with its own expiry;
`Allocation` rows record which lots paid for which redemption (provenance), so cancellations restore exactly
those lots with their original expiry.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ..core.models import EventRecord, TimestampedModel
from ..core.money import amount_field, currency_field
from ..installations.models import InstallationScopedModel


class RuleScope(models.TextChoices):
    PRODUCT = "product", "Product"
    CATEGORY = "category", "Category"
    PRODUCT_TYPE = "product_type", "Product type"


class TierBasis(models.TextChoices):
    POINTS = "points", "Points earned in the last 12 months"
    SPEND = "spend", "Amount spent in the last 12 months"


class Programme(InstallationScopedModel, TimestampedModel):
    """The loyalty terms of one channel. Earning: floor(net paid x points_per_unit x multipliers) per line."""

    channel_slug = models.CharField(max_length=128)
    is_active = models.BooleanField(default=True)
    currency = currency_field(default="USD")
    points_per_unit = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("1"))
    # Money value of one point when redeemed (for the liability report).
    point_value = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0.01"))
    lot_expiry_days = models.PositiveIntegerField(default=365)
    signup_points = models.PositiveIntegerField(default=0)
    first_order_points = models.PositiveIntegerField(default=0)
    survey_completed_points = models.PositiveIntegerField(default=0)
    product_review_points = models.PositiveIntegerField(default=0)
    birthday_points = models.PositiveIntegerField(default=0)
    max_points_per_order = models.PositiveIntegerField(null=True, blank=True)
    max_balance = models.PositiveIntegerField(null=True, blank=True)
    min_redemption_points = models.PositiveIntegerField(default=0)
    tier_basis = models.CharField(max_length=8, choices=TierBasis.choices, default=TierBasis.POINTS)
    expiry_notice_days = models.PositiveIntegerField(default=14)
    # Default for staff without their own StaffAdjustmentLimit: points (absolute) per staff member per day.
    staff_daily_adjustment_limit = models.PositiveIntegerField(default=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "channel_slug"], name="loyalty_programme_channel")
        ]

    def __str__(self) -> str:
        return f"loyalty programme {self.channel_slug}"


class EarnRule(models.Model):
    """A multiplier for a product, category or product type; 0 excludes it. The most specific scope wins."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="earn_rules")
    scope = models.CharField(max_length=16, choices=RuleScope.choices)
    target_id = models.CharField(max_length=128)
    multiplier = models.DecimalField(max_digits=6, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "scope", "target_id"], name="loyalty_rule_target")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.target_id} x{self.multiplier}"


class Tier(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(max_length=32)
    name_en = models.CharField(max_length=100)
    name_zh_hans = models.CharField(max_length=100)
    # Points (tier_basis=points) or money in the programme currency (tier_basis=spend) over a rolling 12 months.
    threshold = models.DecimalField(max_digits=20, decimal_places=3)
    multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("1"))
    benefits_en = models.TextField(blank=True, default="")
    benefits_zh_hans = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="loyalty_tier_code")]
        ordering = ("threshold", "id")

    def __str__(self) -> str:
        return self.code


class StaffAdjustmentLimit(InstallationScopedModel, TimestampedModel):
    """How many points (absolute, per day) one staff member may adjust by hand."""

    staff_user_id = models.CharField(max_length=128)
    daily_points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "staff_user_id"], name="loyalty_staff_limit")
        ]


class Account(InstallationScopedModel, TimestampedModel):
    """A member in one channel, keyed by email (guests too); `user_id` is attached when the account appears."""

    channel_slug = models.CharField(max_length=128)
    email = models.EmailField(max_length=254)
    user_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    # Cache of the ledger sums (see module doc); negative available only through a reversal.
    available_points = models.IntegerField(default=0)
    pending_points = models.IntegerField(default=0)
    language = models.CharField(max_length=16, default="en")
    # Set by the customer (at most once a year, policies.can_change_birthday); the birthday reward is awarded
    # once per calendar year on that day (29 February: 28 February in other years).
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "channel_slug", "email"], name="loyalty_account_email"
            )
        ]
        indexes = [models.Index(fields=["birth_month", "birth_day"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.channel_slug})"


class EntryKind(models.TextChoices):
    EARN_PENDING = "earn_pending", "Points earned, pending the return window"
    RELEASE = "release", "Pending points became available"
    EARN = "earn", "Points earned (action reward)"
    REDEEM = "redeem", "Points redeemed"
    REVERSE = "reverse", "Points reversed (refund or cancellation)"
    RESTORE = "restore", "Redeemed points restored"
    EXPIRE = "expire", "Points expired"
    ADJUST = "adjust", "Manual adjustment"
    DEBT_SETTLED = "debt_settled", "New points paid off a negative balance"


class LedgerEntry(EventRecord):
    """One append-only ledger row; `type` (EventRecord) holds the EntryKind; actor and note come with it."""

    installation = models.ForeignKey("installations.Installation", on_delete=models.CASCADE, related_name="+")
    # No separate FK indexes (writes are the hot path): (account, key) and (account, created_at) lead with the
    # account; lots are never deleted and entries are not looked up by lot.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    points = models.IntegerField(help_text="Signed effect on the customer's total (available + pending).")
    available_delta = models.IntegerField(default=0)
    pending_delta = models.IntegerField(default=0)
    idempotency_key = models.CharField(max_length=255)
    action = models.CharField(max_length=32, blank=True, default="")
    reference = models.CharField(max_length=255, blank=True, default="")
    order_saleor_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    order_line_saleor_id = models.CharField(max_length=128, blank=True, default="")
    lot = models.ForeignKey(
        "Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta(EventRecord.Meta):
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="loyalty_entry_idempotent")
        ]
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.points:+d}"


class LotStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AVAILABLE = "available", "Available"
    CONSUMED = "consumed", "Consumed"
    EXPIRED = "expired", "Expired"
    REVERSED = "reversed", "Reversed"


class LotSource(models.TextChoices):
    PURCHASE = "purchase", "Purchase"
    ACTION = "action", "Action reward"
    ADJUSTMENT = "adjustment", "Manual adjustment"


class Lot(models.Model):
    """Points earned together, with one release date and one expiry. `remaining` is what can still be spent."""

    # Every lot query leads with the account: the composite indexes below cover it (no separate FK index).
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lots", db_index=False)
    source = models.CharField(max_length=16, choices=LotSource.choices)
    status = models.CharField(max_length=16, choices=LotStatus.choices)
    points = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    consumed = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    # Points of the lot that a reversal took from `remaining` (or that came back as repayment).
    reversed = models.PositiveIntegerField(default=0)
    # Total reversal attributed to the lot (<= points), incl. spent points clawed back and forfeited expired ones.
    reversal_applied = models.PositiveIntegerField(default=0)
    # Spent points that a reversal charged back to the balance (a debt); never more than `consumed`.
    clawed_back = models.PositiveIntegerField(default=0)
    # Net paid amount that earned the lot (purchases), for spend-based tiers and refund proportions.
    base_amount = amount_field()
    order_saleor_id = models.CharField(max_length=128, blank=True, default="")
    order_line_saleor_id = models.CharField(max_length=128, blank=True, default="")
    line_quantity = models.PositiveIntegerField(default=0)
    earned_at = models.DateTimeField()
    release_at = models.DateTimeField(null=True, blank=True, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "status", "expires_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "release_at"]),
            models.Index(fields=["account", "order_saleor_id"]),
            models.Index(fields=["account", "released_at"]),
        ]
        ordering = ("id",)

    def __str__(self) -> str:
        return f"lot {self.pk}: {self.remaining}/{self.points} {self.status}"


class Allocation(models.Model):
    """Provenance: `points` of `lot` paid for the redemption `entry`; `restored` of them came back."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    points = models.PositiveIntegerField()
    restored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.points} points of lot {self.lot_id} for entry {self.entry_id}"


class RewardKind(models.TextChoices):
    GIFT_CARD = "gift_card", "Fixed-amount gift card"
    PERCENTAGE_VOUCHER = "percentage_voucher", "Percentage voucher"
    FIXED_VOUCHER = "fixed_voucher", "Fixed-amount voucher"
    FREE_SHIPPING = "free_shipping", "Free shipping voucher"


class Reward(InstallationScopedModel, TimestampedModel):
    channel_slug = models.CharField(max_length=128)
    kind = models.CharField(max_length=24, choices=RewardKind.choices)
    name_en = models.CharField(max_length=200)
    name_zh_hans = models.CharField(max_length=200)
    points_cost = models.PositiveIntegerField()
    # Gift card / fixed voucher: money; percentage voucher: percent; free shipping: ignored.
    value = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal("0"))
    currency = currency_field(default="USD")
    min_order_amount = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(null=True, blank=True)
    available_from = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)
    # How long the issued gift card / voucher stays valid.
    validity_days = models.PositiveIntegerField(default=90)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["installation", "channel_slug", "points_cost"])]
        ordering = ("points_cost", "id")

    def __str__(self) -> str:
        return self.name_en


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Being issued in Saleor"
    ISSUED = "issued", "Issued"
    FAILED = "failed", "Failed (points refunded)"


class RewardClaim(InstallationScopedModel, TimestampedModel):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="claims")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="claims")
    idempotency_key = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    points = models.PositiveIntegerField()
    # Vouchers: generated here (so a lost answer can be reconciled by code); gift cards: Saleor's code.
    code = models.CharField(max_length=64, blank=True, default="")
    saleor_object_id = models.CharField(max_length=128, blank=True, default="")
    valid_until = models.DateTimeField(null=True, blank=True)
    redeem_entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    error = models.TextField(blank=True, default="")
    issued_at = models.DateTimeField(null=True, blank=True)
    # The order that used the code at checkout (its `voucherCode` / `giftCards` in Saleor's order payload).
    used_at = models.DateTimeField(null=True, blank=True)
    used_order_saleor_id = models.CharField(max_length=128, blank=True, default="")
    used_order_number = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="loyalty_claim_idempotent")
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.status})"
