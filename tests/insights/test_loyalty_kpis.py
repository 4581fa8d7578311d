"""Loyalty KPIs on a hand-computed ledger: issued vs redeemed, breakage, liability, expiring points."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.insights import selectors
from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot, Programme

from .factories import TODAY, at


@pytest.fixture
def ledger(installation):
    """
    In the period (11-01..11-19): earn_pending +500, earn +100, adjust +50 -> issued 650; redeem -400, restore +40
    -> redeemed 360; expire -90; reverse -30; adjust -20. Before it (10-15): expire -200, redeem -100.
    Accounts (web): 700 + 300 pending, 1000 -> 2000 points x 0.01 = 20.00 USD.
    """
    Programme.objects.create(
        installation=installation, channel_slug="web", currency="USD", point_value=Decimal("0.01")
    )
    Programme.objects.create(
        installation=installation, channel_slug="cn", currency="CNY", point_value=Decimal("0.1")
    )
    a1 = Account.objects.create(
        installation=installation,
        channel_slug="web",
        email="a@example.com",
        available_points=700,
        pending_points=300,
    )
    a2 = Account.objects.create(
        installation=installation, channel_slug="web", email="b@example.com", available_points=1000
    )
    entries = [
        (a1, "earn_pending", 500, at(2)), (a2, "earn", 100, at(3)), (a2, "adjust", 50, at(4)),
        (a2, "adjust", -20, at(4)), (a1, "redeem", -400, at(5)), (a1, "restore", 40, at(6)),
        (a2, "expire", -90, at(7)), (a1, "reverse", -30, at(8)),
        (a2, "expire", -200, at(15, month=10)), (a2, "redeem", -100, at(15, month=10)),
    ]  # fmt: skip
    for n, (account, kind, points, when) in enumerate(entries):
        entry = LedgerEntry.objects.create(
            installation=installation, account=account, type=kind, points=points, idempotency_key=f"k{n}",
            actor_type="system",
        )  # fmt: skip
        LedgerEntry.objects.filter(pk=entry.pk).update(created_at=when)
    for account, status, remaining, expires in (
        (a1, "available", 200, at(1, month=12)),  # expiring within 30 days of 11-20
        (a2, "available", 500, at(1, month=12).replace(year=2027)),
        (a1, "consumed", 0, at(25)),
    ):
        Lot.objects.create(
            account=account, source="purchase", status=status, points=500, remaining=remaining,
            earned_at=at(1, month=6), expires_at=expires,
        )  # fmt: skip
    return installation


def _loyalty(installation, **filters):
    with time_machine.travel(TODAY, tick=False):
        cleaned = selectors.clean_filters(
            installation, start=date(2026, 11, 1), end=date(2026, 11, 19), today=TODAY.date(), **filters
        )
        return selectors.overview(installation, cleaned)["loyalty"]


def test_points_issued_vs_redeemed_and_breakage(ledger):
    data = _loyalty(ledger)

    assert {
        k: data[k] for k in ("issued", "redeemed", "expired", "reversed", "adjusted_down", "net_issued")
    } == {
        "issued": 650,
        "redeemed": 360,
        "expired": 90,
        "reversed": 30,
        "adjusted_down": 20,
        "net_issued": 150,
    }
    assert data["redemption_rate"] == pytest.approx(360 / 650)
    assert data["breakage_rate"] == pytest.approx(90 / 450)
    assert data["trailing_12m_breakage_rate"] == pytest.approx(290 / 750)
    series = {row["period_start"]: row for row in data["series"]}
    assert series[date(2026, 11, 2)] == {
        "period_start": date(2026, 11, 2),
        "issued": 500,
        "redeemed": 0,
        "expired": 0,
    }
    assert series[date(2026, 11, 6)]["redeemed"] == -40


def test_liability_and_expiring_points(ledger):
    liability = {row["channel"]: row for row in _loyalty(ledger)["liability"]}

    web = liability["web"]
    assert (web["available_points"], web["pending_points"], web["expiring_30d_points"]) == (1700, 300, 200)
    assert web["liability"] == Decimal("20.00")
    assert web["liability_net_of_breakage"] == Decimal("12.27")  # 20 x (1 - 290/750)
    assert liability["cn"]["liability"] == Decimal("0.00")


def test_channel_filter(ledger):
    data = _loyalty(ledger, channel="cn")

    assert (data["issued"], data["redeemed"], data["breakage_rate"]) == (0, 0, None)
    assert [row["channel"] for row in data["liability"]] == ["cn"]
