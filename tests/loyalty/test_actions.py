"""Loyalty actions: earning, vesting, reversal, cancellation, expiry, actions, tiers, caps, adjustments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty import actions, selectors
from saleor_aftersales.loyalty.models import (
    Account,
    EarnRule,
    EntryKind,
    LedgerEntry,
    Lot,
    LotStatus,
    StaffAdjustmentLimit,
    Tier,
)
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.returns.selectors import return_window_closes_at

from .factories import (
    CHANNEL,
    CUSTOMER_ID,
    EMAIL,
    NOW,
    STAFF,
    after,
    fulfill,
    make_order,
    make_programme,
    refund,
)
from .invariants import assert_ledger_consistent

SALEOR = Actor.saleor()


def account(installation) -> Account:
    return Account.objects.get(installation=installation, channel_slug=CHANNEL, email=EMAIL)


def earn_and_release(installation, order, *, release_days: int = 100):
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    fulfill(order)
    actions.refresh_release_dates(order=order)
    return actions.release_due_lots(now=after(release_days))


def test_earn_on_net_paid_per_line_excluding_shipping_and_tax(installation):
    make_programme(installation, points_per_unit=Decimal("1.5"))
    order = make_order(
        installation, lines=((Decimal("33.33"), 1), (Decimal("10.00"), 3)), tax_rate=Decimal("0.1")
    )

    entries = actions.earn_for_order(order=order, actor=SALEOR, now=NOW)

    # floor(33.33 * 1.5) = 49, floor(30 * 1.5) = 45; shipping and the 10 % tax earn nothing.
    assert [e.pending_delta for e in entries] == [49, 45]
    acc = account(installation)
    assert (acc.available_points, acc.pending_points) == (0, 94)
    assert acc.user_id == CUSTOMER_ID
    assert set(Lot.objects.filter(account=acc).values_list("status", "release_at")) == {
        (LotStatus.PENDING, None)
    }
    assert_ledger_consistent(acc)


def test_gift_card_share_of_the_payment_earns_nothing(installation):
    make_programme(installation)
    # 100 goods + 10 shipping = 110; a gift card paid 55 of it: half of every line earns.
    order = make_order(installation, lines=((Decimal("100.00"), 1),), gift_card_paid=Decimal("55.00"))

    entries = actions.earn_for_order(order=order, actor=SALEOR, now=NOW)

    assert [e.pending_delta for e in entries] == [50]
    assert Lot.objects.get().base_amount == Decimal("50.000")


def test_multipliers_and_exclusions_most_specific_scope_wins(installation):
    programme = make_programme(installation)
    EarnRule.objects.create(
        programme=programme, scope="category", target_id="cat-shoes", multiplier=Decimal("2")
    )
    EarnRule.objects.create(
        programme=programme, scope="product_type", target_id="type-gift", multiplier=Decimal("0")
    )
    doubled = make_order(installation, lines=((Decimal("40.00"), 1),), category_id="cat-shoes")
    excluded = make_order(installation, lines=((Decimal("40.00"), 1),), product_type_id="type-gift")
    line = doubled.lines.get()
    EarnRule.objects.create(
        programme=programme, scope="product", target_id=line.product_id, multiplier=Decimal("3")
    )

    assert [e.pending_delta for e in actions.earn_for_order(order=doubled, actor=SALEOR, now=NOW)] == [120]
    assert actions.earn_for_order(order=excluded, actor=SALEOR, now=NOW) == []


def test_same_paid_webhook_twice_earns_once(installation):
    make_programme(installation)
    order = make_order(installation)

    first = actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    second = actions.earn_for_order(order=order, actor=SALEOR, now=NOW)

    assert len(first) == 1 and second == []
    assert LedgerEntry.objects.count() == 1
    assert account(installation).pending_points == 100


def test_inactive_or_missing_programme_earns_nothing(installation):
    order = make_order(installation)
    assert actions.earn_for_order(order=order, actor=SALEOR, now=NOW) == []
    make_programme(installation, is_active=False)
    assert actions.earn_for_order(order=order, actor=SALEOR, now=NOW) == []
    assert LedgerEntry.objects.count() == 0


def test_points_vest_when_the_return_window_closes(installation):
    programme = make_programme(installation, lot_expiry_days=200)
    order = make_order(installation)
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    fulfill(order, at=NOW)

    actions.refresh_release_dates(order=order)

    closes = return_window_closes_at(order)
    assert closes == NOW + timedelta(days=90)
    lot = Lot.objects.get()
    assert lot.release_at == closes
    assert actions.release_due_lots(now=closes - timedelta(seconds=1)) == 0
    assert actions.release_due_lots(now=closes) == 1
    assert actions.release_due_lots(now=closes) == 0
    lot.refresh_from_db()
    assert (lot.status, lot.released_at, lot.expires_at) == (
        LotStatus.AVAILABLE,
        closes,
        closes + timedelta(days=programme.lot_expiry_days),
    )
    acc = account(installation)
    assert (acc.available_points, acc.pending_points) == (100, 0)
    assert_ledger_consistent(acc)


def test_partial_refund_reverses_only_that_lines_points_at_the_awarded_value(installation):
    programme = make_programme(installation)
    order = make_order(installation, lines=((Decimal("50.00"), 3), (Decimal("20.00"), 1)))
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    # The rule changes after the award: reversal must use what was awarded (150), not the new rate.
    programme.points_per_unit = Decimal("5")
    programme.save()
    first_line = order.lines.order_by("id").first()
    refund(order, first_line, 1)

    entries = actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)
    again = actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)

    assert [e.pending_delta for e in entries] == [-50]
    assert again == []
    refund(order, first_line, 2)
    rest = actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)
    assert [e.pending_delta for e in rest] == [-100]
    acc = account(installation)
    assert acc.pending_points == 20
    assert selectors.points_earned_for_orders(installation, [order.saleor_id, "other"]) == {
        order.saleor_id: 20,
        "other": 0,
    }
    assert_ledger_consistent(acc)


def test_reversal_of_spent_points_goes_negative_and_blocks_redemption_until_paid_off(installation):
    make_programme(installation)
    order = make_order(installation, lines=((Decimal("100.00"), 1),))
    earn_and_release(installation, order)
    acc = account(installation)
    actions.redeem_points(account=acc, points=80, idempotency_key="spend-1", actor=SALEOR, now=after(101))
    refund(order, order.lines.get(), 1)

    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=after(102))

    acc.refresh_from_db()
    assert acc.available_points == -80
    assert_ledger_consistent(acc)
    with pytest.raises(DomainError) as error:
        actions.redeem_points(account=acc, points=1, idempotency_key="spend-2", actor=SALEOR, now=after(103))
    assert error.value.code == "NEGATIVE_BALANCE"
    # New points pay the debt off first.
    second = make_order(installation, lines=((Decimal("100.00"), 1),))
    earn_and_release(installation, second, release_days=300)
    acc.refresh_from_db()
    assert acc.available_points == 20
    assert LedgerEntry.objects.filter(account=acc, type=EntryKind.DEBT_SETTLED).count() == 1
    assert_ledger_consistent(acc)


def test_cancel_reverses_all_and_restores_spent_lots_with_their_original_expiry(installation):
    make_programme(installation)
    earlier = make_order(installation, lines=((Decimal("100.00"), 1),))
    earn_and_release(installation, earlier)
    lot = Lot.objects.get(order_saleor_id=earlier.saleor_id)
    original_expiry = lot.expires_at
    acc = account(installation)
    cancelled = make_order(installation, lines=((Decimal("30.00"), 1),))
    actions.earn_for_order(order=cancelled, actor=SALEOR, now=after(101))
    actions.redeem_points(
        account=acc,
        points=60,
        idempotency_key="checkout-1",
        actor=SALEOR,
        order_saleor_id=cancelled.saleor_id,
        now=after(101),
    )

    actions.cancel_order_points(order=cancelled, actor=SALEOR, now=after(102))
    actions.cancel_order_points(order=cancelled, actor=SALEOR, now=after(102))

    acc.refresh_from_db()
    lot.refresh_from_db()
    assert (acc.available_points, acc.pending_points) == (100, 0)
    assert (lot.remaining, lot.consumed, lot.expires_at) == (100, 0, original_expiry)
    assert LedgerEntry.objects.filter(account=acc, type=EntryKind.RESTORE).count() == 1
    assert_ledger_consistent(acc)


def test_expiry_task_expires_each_lot_on_its_own_date_and_notifies_before(installation):
    make_programme(installation, lot_expiry_days=30, expiry_notice_days=7)
    acc = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    actions.adjust_points(account=acc, points=40, reason="goodwill", actor=STAFF, now=NOW)
    actions.adjust_points(account=acc, points=60, reason="goodwill", actor=STAFF, now=after(10))

    assert actions.notify_expiring_points(now=after(25)) == 1
    assert actions.notify_expiring_points(now=after(25)) == 0
    note = Notification.objects.get(event="loyalty_points_expiring")
    assert (note.recipient_email, note.context["points"]) == (EMAIL, 40)
    assert actions.expire_due_lots(now=after(30)) == 1
    acc.refresh_from_db()
    assert acc.available_points == 60
    assert actions.expire_due_lots(now=after(40)) == 1
    acc.refresh_from_db()
    assert acc.available_points == 0
    assert_ledger_consistent(acc)


def test_action_points_idempotent_per_action_and_reference(installation):
    make_programme(installation, signup_points=50, survey_completed_points=0)

    first = actions.award_action_points(
        installation=installation,
        action="signup",
        customer_email=EMAIL,
        customer_user_id=CUSTOMER_ID,
        reference="u1",
        actor=SALEOR,
    )
    again = actions.award_action_points(
        installation=installation,
        action="signup",
        customer_email=EMAIL,
        customer_user_id=CUSTOMER_ID,
        reference="u1",
        actor=SALEOR,
    )
    zero = actions.award_action_points(
        installation=installation,
        action="survey_completed",
        customer_email=EMAIL,
        customer_user_id=CUSTOMER_ID,
        reference="s1",
        actor=SALEOR,
    )

    assert first is not None and again.pk == first.pk
    assert first.available_delta == 50
    assert zero is None
    with pytest.raises(DomainError) as error:
        actions.award_action_points(
            installation=installation,
            action="hack",
            customer_email=EMAIL,
            customer_user_id=None,
            reference="x",
            actor=SALEOR,
        )
    assert error.value.code == "UNKNOWN_ACTION"
    assert account(installation).available_points == 50


def test_review_reported_alias_awards_the_product_review_points_once(installation):
    make_programme(installation, product_review_points=15)

    first = actions.award_action_points(
        installation=installation,
        customer_email=EMAIL,
        customer_user_id=CUSTOMER_ID,
        action="review_reported",
        reference="review-1",
        actor=SALEOR,
    )
    again = actions.award_action_points(
        installation=installation,
        customer_email=EMAIL,
        customer_user_id=CUSTOMER_ID,
        action="product_review",
        reference="review-1",
        actor=SALEOR,
    )

    assert first is not None and again.pk == first.pk
    assert (first.action, first.available_delta) == ("product_review", 15)
    assert account(installation).available_points == 15


def test_first_order_reward_vests_with_the_order(installation):
    make_programme(installation, first_order_points=25)
    order = make_order(installation, lines=((Decimal("10.00"), 1),))
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    second = make_order(installation, lines=((Decimal("10.00"), 1),))
    actions.earn_for_order(order=second, actor=SALEOR, now=NOW)

    acc = account(installation)
    assert acc.pending_points == 10 + 25 + 10
    actions.cancel_order_points(order=order, actor=SALEOR, now=NOW)
    acc.refresh_from_db()
    assert acc.pending_points == 10


def test_tier_multiplier_applies_from_rolling_twelve_months(installation):
    programme = make_programme(installation)
    Tier.objects.create(
        programme=programme,
        code="silver",
        name_en="Silver",
        name_zh_hans="银卡",
        threshold=100,
        multiplier=Decimal("1.5"),
    )
    Tier.objects.create(
        programme=programme, code="gold", name_en="Gold", name_zh_hans="金卡", threshold=1000, multiplier=2
    )
    earn_and_release(installation, make_order(installation, lines=((Decimal("100.00"), 1),)))
    acc = account(installation)

    status = selectors.tier_status(acc, programme, now=after(101))
    entries = actions.earn_for_order(
        order=make_order(installation, lines=((Decimal("100.00"), 1),)), actor=SALEOR, now=after(101)
    )

    assert (status["tier"].code, status["next_tier"].code, status["to_next"]) == ("silver", "gold", 900)
    assert [e.pending_delta for e in entries] == [150]
    # A year later the qualifying points have rolled off.
    assert selectors.tier_status(acc, programme, now=after(101 + 366))["tier"] is None


def test_caps_per_order_and_on_balance(installation):
    make_programme(installation, max_points_per_order=120, max_balance=200)
    first = actions.earn_for_order(
        order=make_order(installation, lines=((Decimal("100.00"), 1), (Decimal("100.00"), 1))),
        actor=SALEOR,
        now=NOW,
    )
    second = actions.earn_for_order(
        order=make_order(installation, lines=((Decimal("100.00"), 1),)), actor=SALEOR, now=NOW
    )
    assert [e.pending_delta for e in first] == [100, 20]
    assert [e.pending_delta for e in second] == [80]


def test_staff_adjustment_audited_within_daily_limit(installation):
    make_programme(installation, staff_daily_adjustment_limit=100)
    acc = actions.ensure_account(installation=installation, channel_slug=CHANNEL, email=EMAIL)

    entry = actions.adjust_points(account=acc, points=70, reason="Late delivery", actor=STAFF, now=NOW)
    with pytest.raises(DomainError) as over:
        actions.adjust_points(account=acc, points=31, reason="again", actor=STAFF, now=NOW)
    StaffAdjustmentLimit.objects.create(
        installation=installation, staff_user_id=STAFF.user_id, daily_points=1000
    )
    with pytest.raises(DomainError) as too_much_off:
        actions.adjust_points(account=acc, points=-71, reason="fix", actor=STAFF, now=NOW)
    removed = actions.adjust_points(account=acc, points=-30, reason="Typo", actor=STAFF, now=NOW)

    assert (entry.type, entry.actor_id, entry.actor_email, entry.note) == (
        "adjust",
        STAFF.user_id,
        STAFF.email,
        "Late delivery",
    )
    assert over.value.code == "ADJUSTMENT_LIMIT_EXCEEDED"
    assert too_much_off.value.code == "INSUFFICIENT_POINTS"
    assert removed.available_delta == -30
    acc.refresh_from_db()
    assert acc.available_points == 40
    assert_ledger_consistent(acc)


@pytest.mark.parametrize(
    ("points", "reason", "code"),
    [
        (0, "x", "OUT_OF_RANGE"),
        (1_000_001, "x", "OUT_OF_RANGE"),
        (-1_000_001, "x", "OUT_OF_RANGE"),
        (5, " ", "REQUIRED"),
    ],
)
def test_bad_adjustments_change_nothing(installation, points, reason, code):
    make_programme(installation)
    acc = actions.ensure_account(installation=installation, channel_slug=CHANNEL, email=EMAIL)
    with pytest.raises(DomainError) as error:
        actions.adjust_points(account=acc, points=points, reason=reason, actor=STAFF, now=NOW)
    assert error.value.code == code
    assert LedgerEntry.objects.count() == 0 and Lot.objects.count() == 0


def test_guest_points_attach_to_the_account_created_later(installation):
    make_programme(installation)
    actions.earn_for_order(
        order=make_order(installation, user_id="", email="Guest@Example.com"), actor=SALEOR, now=NOW
    )
    guest = Account.objects.get(email="guest@example.com")
    assert guest.user_id == ""

    assert (
        actions.attach_guest_accounts(
            installation=installation, email="guest@example.com", user_id="VXNlcjo4"
        )
        == 1
    )

    summary = selectors.account_summary(installation, user_id="VXNlcjo4")
    assert (summary["pending_points"], summary["channels"][0]["channel"]) == (100, CHANNEL)


def test_liability_report(installation):
    make_programme(installation, point_value=Decimal("0.05"), lot_expiry_days=30)
    acc = actions.ensure_account(installation=installation, channel_slug=CHANNEL, email=EMAIL)
    StaffAdjustmentLimit.objects.create(
        installation=installation, staff_user_id=STAFF.user_id, daily_points=10_000
    )
    actions.adjust_points(account=acc, points=100, reason="a", actor=STAFF, now=NOW)
    actions.redeem_points(account=acc, points=75, idempotency_key="r", actor=SALEOR, now=after(1))
    actions.expire_due_lots(now=after(31))  # 25 expire: history 25 expired / 75 consumed
    actions.adjust_points(account=acc, points=400, reason="b", actor=STAFF, now=after(32))
    actions.earn_for_order(
        order=make_order(installation, lines=((Decimal("100.00"), 1),)), actor=SALEOR, now=after(32)
    )

    report = selectors.liability_report(installation, CHANNEL, now=after(33))

    assert report == {
        "channel": CHANNEL,
        "currency": "USD",
        "available_points": 400,
        "pending_points": 100,
        "negative_points": 0,
        "outstanding_points": 500,
        "outstanding_value": Decimal("25.00"),
        "breakage_rate": Decimal("0.2500"),
        "expected_breakage_points": 125,
        "expected_breakage_value": Decimal("6.25"),
        "expected_liability_value": Decimal("18.75"),
        "rewards_issued_unused": 0,
        "rewards_used": 0,
        "unused_rewards_value": Decimal("0.00"),
    }


def test_lines_returned_for_store_credit_do_not_vest(installation):
    from saleor_aftersales.returns.models import ReturnLine, ReturnRequest

    make_programme(installation)
    order = make_order(installation, lines=((Decimal("30.00"), 2), (Decimal("10.00"), 1)))
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    fulfill(order)
    actions.refresh_release_dates(order=order)
    returned = order.lines.order_by("id").first()
    request = ReturnRequest.objects.create(
        installation=installation,
        number="RMA-1",
        order=order,
        currency="USD",
        customer_email=EMAIL,
        resolution="store_credit",
        status="resolved",
    )
    ReturnLine.objects.create(
        request=request,
        order_line=returned,
        quantity=1,
        reason_code="size",
        reason_category="no_reason",
        received_quantity=1,
    )

    assert actions.release_due_lots(now=after(100)) == 2

    acc = account(installation)
    assert (acc.available_points, acc.pending_points) == (30 + 10, 0)
    assert_ledger_consistent(acc)
