"""Acceptance point 8: earn / release / redeem / refund (by lines or by amount) / cancel / expire in any order,
deliveries duplicated.

Invariants after every step: the cached balance equals the ledger; lots back the balance; no double counting;
redemption never takes available below zero; reversal never exceeds what an order earned; a lot's expiry, once
set, never changes (restored lots keep theirs).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot, LotSource
from saleor_aftersales.orders.models import GrantedRefund, Order

from .factories import CHANNEL, NOW, fulfill, make_order, make_programme, refund
from .invariants import assert_ledger_consistent

SALEOR = Actor.saleor()
_machine_ids = itertools.count(1)


class LedgerMachine(RuleBasedStateMachine):
    installation = None  # set by the test

    def __init__(self):
        super().__init__()
        n = next(_machine_ids)
        self.email = f"member{n}@example.com"
        self.user_id = f"VXNlcjo{n}"
        self.now = NOW
        self.orders: list[Order] = []
        self.expiries: dict[int, object] = {}
        self.redemptions = 0
        self.debt_seen_only_after_reversal = True

    @property
    def account(self) -> Account | None:
        return Account.objects.filter(installation=self.installation, email=self.email).first()

    def tick(self, days: int = 1) -> None:
        self.now += timedelta(days=days)

    @rule(
        lines=st.lists(st.tuples(st.integers(1, 80), st.integers(1, 3)), min_size=1, max_size=3),
        duplicate=st.booleans(),
    )
    def earn(self, lines, duplicate):
        order = make_order(
            self.installation,
            lines=tuple((Decimal(price), qty) for price, qty in lines),
            user_id=self.user_id,
            email=self.email,
        )
        self.orders.append(order)
        deliveries = 2 if duplicate else 1
        for _ in range(deliveries):
            actions.earn_for_order(order=order, actor=SALEOR, now=self.now)
        self.tick()

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def fulfil_and_release(self, data):
        order = data.draw(st.sampled_from(self.orders))
        if not order.fulfillments.exists():
            fulfill(order, at=self.now)
        actions.refresh_release_dates(order=order)
        self.tick(data.draw(st.sampled_from([0, 30, 95, 120])))
        actions.release_due_lots(now=self.now)
        actions.release_due_lots(now=self.now)

    @precondition(lambda self: self.account is not None)
    @rule(percent=st.integers(1, 120), data=st.data(), duplicate=st.booleans())
    def redeem(self, percent, data, duplicate):
        account = self.account
        # Mostly affordable amounts (so spending and later reversals meet), sometimes too much.
        points = max(1, max(account.available_points, 0) * percent // 100)
        on_order = data.draw(st.sampled_from([None, *self.orders]))
        self.redemptions += 1
        key = f"r{self.redemptions}"
        before = account.available_points
        for _ in range(2 if duplicate else 1):
            try:
                actions.redeem_points(
                    account=account,
                    points=points,
                    idempotency_key=key,
                    actor=SALEOR,
                    order_saleor_id=on_order.saleor_id if on_order else "",
                    now=self.now,
                )
            except DomainError as error:
                assert error.code in ("INSUFFICIENT_POINTS", "NEGATIVE_BALANCE", "BELOW_MINIMUM_REDEMPTION")
        account.refresh_from_db()
        # Redemption never takes the balance below zero (expiry may lower it first, never below zero either).
        assert account.available_points >= 0 or account.available_points >= before
        assert LedgerEntry.objects.filter(account=account, idempotency_key=f"redeem:{key}").count() <= 1

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), duplicate=st.booleans())
    def refund_line(self, data, duplicate):
        order = data.draw(st.sampled_from(self.orders))
        line = data.draw(st.sampled_from(list(order.lines.all())))
        already = sum(
            item["quantity"]
            for grant in order.granted_refunds.all()
            for item in grant.lines
            if item["order_line_id"] == line.saleor_id
        )
        if already < line.quantity:
            refund(order, line, data.draw(st.integers(1, line.quantity - already)))
        for _ in range(2 if duplicate else 1):
            actions.reverse_refunded_lines(order=order, actor=SALEOR, now=self.now)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), percent=st.integers(1, 150), duplicate=st.booleans())
    def refund_amount_without_lines(self, data, percent, duplicate):
        order = data.draw(st.sampled_from(self.orders))
        amount = (order.total_gross - order.shipping_gross) * percent / 100
        GrantedRefund.objects.create(
            order=order,
            saleor_id=f"amount-{order.pk}-{order.granted_refunds.count()}",
            status="SUCCESS",
            amount=amount.quantize(Decimal("0.01")),
            lines=[],
        )
        for _ in range(2 if duplicate else 1):
            actions.reverse_refunded_lines(order=order, actor=SALEOR, now=self.now)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), duplicate=st.booleans())
    def cancel(self, data, duplicate):
        order = data.draw(st.sampled_from(self.orders))
        for _ in range(2 if duplicate else 1):
            actions.cancel_order_points(order=order, actor=SALEOR, now=self.now)

    @rule(days=st.integers(1, 400))
    def expire(self, days):
        self.tick(days)
        actions.expire_due_lots(now=self.now)
        actions.expire_due_lots(now=self.now)

    @invariant()
    def ledger_is_consistent(self):
        account = self.account
        if account is None:
            return
        assert_ledger_consistent(account)
        # Nothing earned twice: one purchase lot per order line.
        keys = list(
            Lot.objects.filter(account=account, source=LotSource.PURCHASE).values_list(
                "order_saleor_id", "order_line_saleor_id"
            )
        )
        assert len(keys) == len(set(keys))

    @invariant()
    def expiry_never_changes(self):
        account = self.account
        if account is None:
            return
        for lot_id, expires_at in Lot.objects.filter(account=account, expires_at__isnull=False).values_list(
            "pk", "expires_at"
        ):
            assert self.expiries.setdefault(lot_id, expires_at) == expires_at


@pytest.mark.django_db
def test_ledger_state_machine(installation):
    make_programme(installation, lot_expiry_days=180)
    assert CHANNEL
    LedgerMachine.installation = installation
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
