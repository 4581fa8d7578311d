"""The ledger invariants every loyalty test can assert (acceptance point 8)."""

from __future__ import annotations

from django.db.models import Sum

from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot, LotSource, LotStatus


def assert_ledger_consistent(account: Account) -> None:
    account.refresh_from_db()
    sums = LedgerEntry.objects.filter(account=account).aggregate(
        available=Sum("available_delta"), pending=Sum("pending_delta"), points=Sum("points")
    )
    available, pending = sums["available"] or 0, sums["pending"] or 0
    # The cached balance is exactly the ledger.
    assert (account.available_points, account.pending_points) == (available, pending)
    assert (sums["points"] or 0) == available + pending
    # Lots back the balance: pending lots hold pending, available lots hold the non-negative available.
    pending_lots = (
        Lot.objects.filter(account=account, status=LotStatus.PENDING).aggregate(s=Sum("remaining"))["s"] or 0
    )
    available_lots = (
        Lot.objects.filter(account=account, status=LotStatus.AVAILABLE).aggregate(s=Sum("remaining"))["s"]
        or 0
    )
    assert pending_lots == pending
    assert available_lots == max(available, 0)
    for lot in Lot.objects.filter(account=account):
        assert lot.remaining + lot.consumed + lot.expired + lot.reversed == lot.points, lot.__dict__
        assert 0 <= lot.reversal_applied <= lot.points
        assert lot.clawed_back <= lot.points
        if lot.remaining > 0:
            assert lot.status in (LotStatus.PENDING, LotStatus.AVAILABLE)
    # Reversals never exceed what each order earned.
    for order_id in set(
        Lot.objects.filter(account=account, source=LotSource.PURCHASE).values_list(
            "order_saleor_id", flat=True
        )
    ):
        earned = (
            Lot.objects.filter(account=account, order_saleor_id=order_id).aggregate(s=Sum("points"))["s"] or 0
        )
        reversed_total = sum(
            e.data.get("reversed", 0)
            for e in LedgerEntry.objects.filter(account=account, order_saleor_id=order_id, type="reverse")
        )
        assert reversed_total <= earned
