"""Shared fixtures of the insights tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.insights.rollups import refresh_rollups

from .factories import TODAY, at, order, return_request


@pytest.fixture
def shop(installation):
    """
    Fulfilled units: VA 4 + 6 = 10 (web), VB 2 (web), VC 10 (cn) -> 22; revenue 400 + 100 + 600 + 200 = 1300 USD.
    R1 (11-05, web): A 2 quality-defect + B 1 wrong-size, refund, resolved, refund 250 (A 200, B 50),
        decided +3h, received +30h, resolved +50h.
    R2 (11-06, web): A 1 quality-defect, store credit, approved, decided +10h.
    R3 (11-07, cn):  C 5 changed-mind, refund, rejected, decided +1h.
    R4 (11-08, cn):  C 2 wrong-item, cancelled -> left out everywhere.
    R5 (11-09, web): A 1 quality-defect, exchange, requested (pending).
    """
    o1, (a1, b1) = order(
        installation,
        lines=[("VA", "PA", "C1", "100.00", 4), ("VB", "PB", "C1", "50.00", 2)],
        fulfilled_at=at(2, 10),
    )
    o2, (a2,) = order(installation, lines=[("VA", "PA", "C1", "100.00", 6)], fulfilled_at=at(3, 10))
    o3, (c3,) = order(
        installation, lines=[("VC", "PC", "C2", "20.00", 10)], fulfilled_at=at(4, 10), channel="cn"
    )
    return_request(
        installation, o1, created_at=at(5), status="resolved", resolution="refund",
        lines=[(a1, 2, "quality-defect", "quality", 2), (b1, 1, "wrong-size", "no_reason", 1)],
        decided_after_hours=3, received_after_hours=30, resolved_after_hours=50, refund_amount=Decimal("250.00"),
    )  # fmt: skip
    return_request(
        installation, o2, created_at=at(6), status="approved", resolution="store_credit",
        lines=[(a2, 1, "quality-defect", "quality", 1)], decided_after_hours=10,
    )  # fmt: skip
    return_request(
        installation, o3, created_at=at(7), status="rejected", resolution="refund",
        lines=[(c3, 5, "changed-mind", "no_reason", 0)], decided_after_hours=1,
    )  # fmt: skip
    return_request(
        installation, o3, created_at=at(8), status="cancelled", lines=[(c3, 2, "wrong-item", "logistics", 0)]
    )
    return_request(
        installation, o1, created_at=at(9), status="requested", resolution="exchange",
        lines=[(a1, 1, "quality-defect", "quality", 0)],
    )  # fmt: skip
    with time_machine.travel(TODAY, tick=False):
        refresh_rollups(installation)
    return installation
