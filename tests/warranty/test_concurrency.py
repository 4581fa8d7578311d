"""Real threads on PostgreSQL: simultaneous registrations and claims stay exact."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import Warranty, WarrantyClaim, WarrantyEvent

from .factories import CUSTOMER, NOW, shoe_order


def run_together(fn, count=2):
    barrier = threading.Barrier(count)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(fn())
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres_only
def test_simultaneous_fulfilment_events_register_each_unit_once(transactional_db, installation):
    order = shoe_order(installation, lines=((Decimal("80.00"), 3), (Decimal("40.00"), 2)))
    outcomes = run_together(lambda: actions.register_order_warranties(order=order), count=3)
    assert sorted(outcomes) == [0, 0, 5]
    assert Warranty.objects.count() == 5
    assert WarrantyEvent.objects.filter(type="registered").count() == 5


@pytest.mark.postgres_only
def test_two_simultaneous_claims_on_one_warranty_open_one(transactional_db, installation):
    order = shoe_order(installation)
    actions.register_order_warranties(order=order)
    warranty = Warranty.objects.get()

    def claim():
        return actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW).number

    outcomes = run_together(claim, count=3)
    assert sorted(outcomes) == sorted(["WC-000001", "CLAIM_ALREADY_OPEN", "CLAIM_ALREADY_OPEN"])
    assert WarrantyClaim.objects.count() == 1
