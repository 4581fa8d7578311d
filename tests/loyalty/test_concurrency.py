"""Real threads on PostgreSQL: the account row lock keeps the ledger exact under concurrent writes."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot, RewardClaim
from saleor_aftersales.outbox.models import OutboxMessage

from .factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, make_order, make_programme, make_reward
from .invariants import assert_ledger_consistent

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=EMAIL)


def run_together(fn, count: int) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            outcomes.append(fn(n))
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres_only
def test_fifty_simultaneous_claims_never_overspend(transactional_db, installation, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1000  # the fake Saleor URL refuses connections: keep the claims pending
    make_programme(installation, staff_daily_adjustment_limit=10_000)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    for n in range(3):  # three lots, so FEFO allocation is exercised under contention too
        actions.adjust_points(account=account, points=[200, 150, 150][n], reason="seed", actor=STAFF)
    reward = make_reward(installation, points_cost=100)

    outcomes = run_together(
        lambda n: (
            actions.claim_reward(
                installation=installation,
                reward_id=reward.pk,
                channel_slug=CHANNEL,
                idempotency_key=f"tap-{n}",
                user_id=CUSTOMER_ID,
                email=EMAIL,
                actor=CUSTOMER,
            ).pk
        ),
        count=50,
    )

    assert len(outcomes) == 50
    assert sum(1 for o in outcomes if isinstance(o, int)) == 5
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["INSUFFICIENT_POINTS"] * 45
    account.refresh_from_db()
    assert account.available_points == 0
    assert RewardClaim.objects.count() == 5
    assert OutboxMessage.objects.filter(operation="GiftCardCreateLoyaltyReward").count() == 5
    assert sum(Lot.objects.values_list("consumed", flat=True)) == 500
    assert_ledger_consistent(account)


@pytest.mark.postgres_only
def test_same_claim_key_five_times_at_once_claims_once(transactional_db, installation, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1000
    make_programme(installation)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    actions.adjust_points(account=account, points=500, reason="seed", actor=STAFF)
    reward = make_reward(installation, points_cost=100)

    outcomes = run_together(
        lambda n: (
            actions.claim_reward(
                installation=installation,
                reward_id=reward.pk,
                channel_slug=CHANNEL,
                idempotency_key="double-tap",
                user_id=CUSTOMER_ID,
                email=EMAIL,
                actor=CUSTOMER,
            ).pk
        ),
        count=5,
    )

    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int)
    account.refresh_from_db()
    assert account.available_points == 400
    assert OutboxMessage.objects.count() == 1


@pytest.mark.postgres_only
def test_same_paid_webhook_five_times_at_once_earns_once(transactional_db, installation):
    make_programme(installation)
    order = make_order(installation, lines=((Decimal("50.00"), 2), (Decimal("20.00"), 1)))

    outcomes = run_together(lambda n: len(actions.earn_for_order(order=order, actor=Actor.saleor())), count=5)

    assert sorted(outcomes) == [0, 0, 0, 0, 2]
    account = Account.objects.get()
    assert (account.available_points, account.pending_points) == (0, 120)
    assert LedgerEntry.objects.count() == 2
    assert_ledger_consistent(account)


@pytest.mark.postgres_only
def test_same_action_and_redemption_keys_ten_times_at_once_write_once(transactional_db, installation):
    """The hot path's locked read may see the key missing while it waits for the lock; its write statement
    re-checks under the lock, so the same key still writes once and no delivery fails."""
    make_programme(installation, survey_completed_points=40)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )

    earned = run_together(
        lambda n: (
            actions.award_action_points(
                installation=installation,
                customer_email=EMAIL,
                customer_user_id=CUSTOMER_ID,
                action="survey_completed",
                reference="survey-1",
                actor=Actor.saleor(),
                channel_slug=CHANNEL,
            ).pk
        ),
        count=10,
    )
    redeemed = run_together(
        lambda n: (
            actions.redeem_points(account=account, points=15, idempotency_key="once", actor=CUSTOMER).pk
        ),
        count=10,
    )

    assert len(earned) == 10 and len(set(earned)) == 1 and isinstance(earned[0], int)
    assert len(redeemed) == 10 and len(set(redeemed)) == 1 and isinstance(redeemed[0], int)
    account.refresh_from_db()
    assert account.available_points == 40 - 15
    assert LedgerEntry.objects.filter(account=account).count() == 2
    assert Lot.objects.filter(account=account).count() == 1
    assert_ledger_consistent(account)


@pytest.mark.postgres_only
def test_first_orders_of_a_new_customer_at_once_open_one_account(transactional_db, installation):
    make_programme(installation)
    orders = [make_order(installation, lines=((Decimal("10.00"), 1),)) for _ in range(6)]

    outcomes = run_together(
        lambda n: len(actions.earn_for_order(order=orders[n], actor=Actor.saleor())), count=len(orders)
    )

    assert outcomes == [1] * 6
    account = Account.objects.get()
    assert (account.user_id, account.pending_points) == (CUSTOMER_ID, 60)
    assert LedgerEntry.objects.count() == 6
    assert_ledger_consistent(account)
