"""Reward codes used at checkout, refunds without lines, the birthday reward (issue #4, last gaps)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty import actions, policies, selectors
from saleor_aftersales.loyalty.models import Account, ClaimStatus, LedgerEntry, RewardClaim, RewardKind
from saleor_aftersales.orders.models import GrantedRefund

from .factories import (
    CHANNEL,
    CUSTOMER_ID,
    EMAIL,
    NOW,
    STAFF,
    fulfill,
    gid,
    make_order,
    make_programme,
    make_reward,
    refund,
)
from .invariants import assert_ledger_consistent
from .test_webhooks import deliver

SALEOR = Actor.saleor()


def member_with_points(installation, points: int = 500) -> Account:
    make_programme(installation, staff_daily_adjustment_limit=100_000)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    actions.adjust_points(account=account, points=points, reason="seed", actor=STAFF)
    make_order(installation)  # the channel id becomes known (vouchers need it)
    return account


def issued_claim(installation, reward, key: str, saleor_id: str) -> RewardClaim:
    claim = actions.claim_reward(
        installation=installation,
        reward_id=reward.pk,
        channel_slug=CHANNEL,
        idempotency_key=key,
        user_id=CUSTOMER_ID,
        email=EMAIL,
        actor=SALEOR,
    )
    return actions.mark_claim_issued(
        claim=RewardClaim.objects.select_related("reward", "account", "installation").get(pk=claim.pk),
        saleor_object_id=saleor_id,
        code=claim.code or "GIFT-1234",
    )


def checkout_payload(*, order_id: str, number: str, voucher_code=None, gift_cards=()):
    return {
        "order": {
            "id": order_id,
            "number": number,
            "status": "UNFULFILLED",
            "userEmail": EMAIL,
            "user": {"id": CUSTOMER_ID, "email": EMAIL},
            "channel": {"id": gid("Channel", 1), "slug": CHANNEL, "currencyCode": "USD"},
            "voucherCode": voucher_code,
            "giftCards": [{"id": card} for card in gift_cards],
            "lines": [],
        }
    }


def test_codes_used_at_checkout_mark_the_claims_used_once(installation):
    member_with_points(installation)
    gift = make_reward(installation, points_cost=100)
    voucher = make_reward(
        installation, kind=RewardKind.FIXED_VOUCHER, value=Decimal("5"), points_cost=50, name_en="USD 5 off"
    )
    card_claim = issued_claim(installation, gift, "g-1", gid("GiftCard", 1))
    voucher_claim = issued_claim(installation, voucher, "v-1", gid("Voucher", 1))
    untouched = issued_claim(installation, gift, "g-2", gid("GiftCard", 2))
    report = selectors.liability_report(installation, CHANNEL)
    assert (report["rewards_issued_unused"], report["rewards_used"]) == (3, 0)
    assert report["unused_rewards_value"] == Decimal("25.00")

    later = checkout_payload(
        order_id=gid("Order", "later"),
        number="7001",
        voucher_code=voucher_claim.code.lower(),  # Saleor codes are case-insensitive
        gift_cards=[gid("GiftCard", 1)],
    )
    deliver(installation, "ORDER_CREATED", later)
    # Re-deliveries and a second order with the same codes change nothing (first use wins).
    deliver(installation, "ORDER_UPDATED", later, issued_at="2026-11-02T10:00:05+00:00")
    deliver(
        installation,
        "ORDER_FULLY_PAID",
        checkout_payload(order_id=gid("Order", "other"), number="7002", gift_cards=[gid("GiftCard", 1)]),
        issued_at="2026-11-02T10:00:09+00:00",
    )

    card_claim.refresh_from_db()
    voucher_claim.refresh_from_db()
    untouched.refresh_from_db()
    assert (card_claim.used_order_saleor_id, card_claim.used_order_number) == (gid("Order", "later"), "7001")
    assert (voucher_claim.used_order_saleor_id, voucher_claim.used_order_number) == (
        gid("Order", "later"),
        "7001",
    )
    assert card_claim.used_at is not None and untouched.used_at is None
    report = selectors.liability_report(installation, CHANNEL)
    assert (report["rewards_issued_unused"], report["rewards_used"]) == (1, 2)
    assert report["unused_rewards_value"] == Decimal("10.00")


def test_a_gift_card_id_never_marks_a_voucher_claim_and_pending_claims_stay_unused(installation):
    member_with_points(installation)
    voucher = make_reward(
        installation, kind=RewardKind.FREE_SHIPPING, points_cost=50, name_en="Free shipping"
    )
    pending = actions.claim_reward(
        installation=installation,
        reward_id=voucher.pk,
        channel_slug=CHANNEL,
        idempotency_key="fs-1",
        user_id=CUSTOMER_ID,
        email=EMAIL,
        actor=SALEOR,
    )

    marked = actions.mark_rewards_used(
        installation=installation,
        order_saleor_id=gid("Order", 9),
        voucher_codes=[pending.code],
        gift_card_ids=[pending.code],
    )

    assert marked == 0
    pending.refresh_from_db()
    assert (pending.status, pending.used_at) == (ClaimStatus.PENDING, None)


def test_staff_view_shows_the_order_that_used_a_code(installation, gql, staff_token):
    member_with_points(installation)
    claim = issued_claim(installation, make_reward(installation, points_cost=100), "g-1", gid("GiftCard", 7))
    actions.mark_rewards_used(
        installation=installation,
        order_saleor_id=gid("Order", 77),
        order_number="7777",
        gift_card_ids=[gid("GiftCard", 7)],
    )
    from saleor_aftersales.core.ids import to_global_id

    data = gql(
        "query($id: ID!) { loyaltyAccount(id: $id) { claims { usedAt usedOrderId usedOrderNumber } } }",
        {"id": to_global_id("LoyaltyAccount", claim.account_id)},
        token=staff_token("MANAGE_USERS"),
    )["data"]["loyaltyAccount"]["claims"]
    assert data[0]["usedOrderId"] == gid("Order", 77)
    assert data[0]["usedOrderNumber"] == "7777" and data[0]["usedAt"]


# --- refunds without lines --------------------------------------------------------------------------------------


def amount_refund(order, amount: Decimal, *, shipping: bool = False, status: str = "SUCCESS"):
    return GrantedRefund.objects.create(
        order=order,
        saleor_id=gid("OrderGrantedRefund", f"amount-{order.pk}-{amount}-{status}"),
        status=status,
        amount=amount,
        shipping_costs_included=shipping,
        lines=[],
    )


def test_refund_without_lines_reverses_points_in_proportion_at_the_awarded_value(installation):
    programme = make_programme(installation)
    order = make_order(installation, lines=((Decimal("60.00"), 1), (Decimal("40.00"), 1)))  # + 10 shipping
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    programme.points_per_unit = Decimal("5")  # a later rule change must not change the reversal
    programme.save()

    amount_refund(order, Decimal("25.00"))  # a quarter of the 100.00 paid for goods
    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)
    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)  # re-delivery

    account = Account.objects.get()
    assert account.pending_points == 100 - (15 + 10)
    assert LedgerEntry.objects.filter(type="reverse").count() == 2
    assert_ledger_consistent(account)


def test_direct_transaction_refund_and_shipping_refund(installation):
    make_programme(installation)
    order = make_order(installation, lines=((Decimal("50.00"), 2),))  # 100 goods + 10 shipping
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)

    # Shipping refunded with 20.00 of goods in one grant without lines: only the goods part counts.
    amount_refund(order, Decimal("30.00"), shipping=True)
    # And 10.00 refunded straight on the payment (no grant): the transaction shows 40.00 refunded in all.
    order.transactions = [{**order.transactions[0], "refunded": "40.00"}]
    order.save(update_fields=["transactions"])
    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)

    account = Account.objects.get()
    assert account.pending_points == 100 - 30  # (20 + 10) / 100 of what the line earned
    assert_ledger_consistent(account)


def test_line_and_amount_refunds_together_never_reverse_more_than_earned(installation):
    make_programme(installation)
    order = make_order(installation, lines=((Decimal("30.00"), 2), (Decimal("40.00"), 1)))
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    line = order.lines.order_by("id").first()
    refund(order, line, 2)  # the whole first line: 60 points
    amount_refund(order, Decimal("80.00"))  # 80 % more of the goods

    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)

    account = Account.objects.get()
    # First line: all 60 (no more); second: floor(40 x 0.8) = 32.
    assert account.pending_points == 100 - 60 - 32
    assert_ledger_consistent(account)


def test_pending_grant_money_on_the_transaction_is_not_counted_twice(installation):
    make_programme(installation)
    order = make_order(installation, lines=((Decimal("50.00"), 2),))
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    line = order.lines.get()
    grant = refund(order, line, 1)
    GrantedRefund.objects.filter(pk=grant.pk).update(status="PENDING")
    order.transactions = [{**order.transactions[0], "refunded": "50.00"}]
    order.save(update_fields=["transactions"])

    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)
    assert Account.objects.get().pending_points == 100
    GrantedRefund.objects.filter(pk=grant.pk).update(status="SUCCESS")
    actions.reverse_refunded_lines(order=order, actor=SALEOR, now=NOW)
    assert Account.objects.get().pending_points == 50


@given(
    earned=st.integers(0, 10_000),
    quantity=st.integers(1, 20),
    refunded=st.integers(0, 25),
    share=st.decimals(min_value=-1, max_value=2, places=3),
)
def test_reversal_target_is_bounded_and_monotonic(earned, quantity, refunded, share):
    target = policies.reversal_target(
        earned=earned, quantity=quantity, refunded_quantity=refunded, refunded_share=share
    )
    assert 0 <= target <= earned
    more = policies.reversal_target(
        earned=earned, quantity=quantity, refunded_quantity=refunded + 1, refunded_share=share
    )
    assert more >= target


# --- birthday ---------------------------------------------------------------------------------------------------


def test_birthday_set_once_a_year_and_awarded_once_per_year(installation):
    make_programme(installation, birthday_points=200)
    first = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    account = actions.set_birthday(
        installation=installation,
        channel_slug=CHANNEL,
        email=EMAIL,
        user_id=CUSTOMER_ID,
        month=5,
        day=17,
        actor=SALEOR,
        now=first,
    )
    assert (account.birth_month, account.birth_day) == (5, 17)
    with pytest.raises(DomainError) as error:
        actions.set_birthday(
            installation=installation,
            channel_slug=CHANNEL,
            email=EMAIL,
            user_id=CUSTOMER_ID,
            month=6,
            day=1,
            actor=SALEOR,
            now=first + timedelta(days=30),
        )
    assert (error.value.code, error.value.details[0].field) == ("BIRTHDAY_CHANGE_TOO_SOON", "month")

    assert actions.award_birthdays(now=datetime(2026, 5, 16, 23, 0, tzinfo=UTC)) == 0
    assert actions.award_birthdays(now=datetime(2026, 5, 17, 1, 0, tzinfo=UTC)) == 1
    assert actions.award_birthdays(now=datetime(2026, 5, 17, 5, 0, tzinfo=UTC)) == 0  # the beat runs again
    # Changed a year later to a date still ahead this year: no second award in the same year.
    actions.set_birthday(
        installation=installation,
        channel_slug=CHANNEL,
        email=EMAIL,
        user_id=CUSTOMER_ID,
        month=12,
        day=24,
        actor=SALEOR,
        now=first + timedelta(days=365),
    )
    assert actions.award_birthdays(now=datetime(2027, 5, 17, 1, 0, tzinfo=UTC)) == 0
    assert actions.award_birthdays(now=datetime(2027, 12, 24, 1, 0, tzinfo=UTC)) == 1

    account = Account.objects.get()
    assert account.available_points == 400
    assert list(
        LedgerEntry.objects.filter(action="birthday").order_by("id").values_list("reference", flat=True)
    ) == [f"{account.pk}:2026", f"{account.pk}:2027"]
    assert_ledger_consistent(account)


def test_birthday_bad_input_and_29_february(installation):
    make_programme(installation, birthday_points=50)
    for month, day in ((2, 30), (13, 1), (0, 5), (4, 31)):
        with pytest.raises(DomainError) as error:
            actions.set_birthday(
                installation=installation,
                channel_slug=CHANNEL,
                email=EMAIL,
                user_id=CUSTOMER_ID,
                month=month,
                day=day,
                actor=SALEOR,
            )
        assert error.value.code == "BIRTHDAY_INVALID"
    assert not Account.objects.exists()

    actions.set_birthday(
        installation=installation,
        channel_slug=CHANNEL,
        email=EMAIL,
        user_id=CUSTOMER_ID,
        month=2,
        day=29,
        actor=SALEOR,
    )
    assert actions.award_birthdays(now=datetime(2027, 2, 28, 8, 0, tzinfo=UTC)) == 1  # not a leap year
    assert actions.award_birthdays(now=datetime(2028, 2, 28, 8, 0, tzinfo=UTC)) == 0
    assert actions.award_birthdays(now=datetime(2028, 2, 29, 8, 0, tzinfo=UTC)) == 1
    assert policies.celebrates_on(month=2, day=29, on=date(2027, 2, 28))


def test_birthday_via_graphql(installation, gql, make_token):
    make_programme(installation, birthday_points=50)
    token = make_token(email=EMAIL, user_id=CUSTOMER_ID)
    mutation = """
    mutation($month: Int!, $day: Int!) {
      loyaltyBirthdaySet(channel: "default-channel", month: $month, day: $day) {
        account { birthMonth birthDay birthdayChangeableFrom }
        errors { field code message }
      }
    }
    """
    ok = gql(mutation, {"month": 7, "day": 4}, token=token)["data"]["loyaltyBirthdaySet"]
    assert ok["errors"] == [] and (ok["account"]["birthMonth"], ok["account"]["birthDay"]) == (7, 4)
    again = gql(mutation, {"month": 8, "day": 4}, token=token)["data"]["loyaltyBirthdaySet"]
    assert again["errors"] == [
        {
            "field": "month",
            "code": "BIRTHDAY_CHANGE_TOO_SOON",
            "message": "The birthday can be changed once a year.",
        }
    ]
    bad = gql(mutation, {"month": 2, "day": 31}, token=token)["data"]["loyaltyBirthdaySet"]
    assert bad["errors"][0]["code"] == "BIRTHDAY_INVALID"
    assert (Account.objects.get().birth_month, Account.objects.get().birth_day) == (7, 4)
    anonymous = gql(mutation, {"month": 1, "day": 1}, token=None)
    assert anonymous["data"]["loyaltyBirthdaySet"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_fulfilled_orders_unaffected(installation):
    """Orders without codes or refunds change nothing here (guards the handlers' no-op path)."""
    make_programme(installation)
    order = make_order(installation)
    actions.earn_for_order(order=order, actor=SALEOR, now=NOW)
    fulfill(order)
    assert actions.mark_rewards_used(installation=installation, order_saleor_id=order.saleor_id) == 0
    assert actions.refunded_without_lines(order) == Decimal("0")


def test_cancelling_the_order_that_used_codes_frees_them_for_another_order(installation):
    member_with_points(installation)
    gift = make_reward(installation, points_cost=100)
    voucher = make_reward(
        installation, kind=RewardKind.FIXED_VOUCHER, value=Decimal("5"), points_cost=50, name_en="USD 5 off"
    )
    card_claim = issued_claim(installation, gift, "g-1", gid("GiftCard", 1))
    voucher_claim = issued_claim(installation, voucher, "v-1", gid("Voucher", 1))
    other_claim = issued_claim(installation, gift, "g-2", gid("GiftCard", 2))
    first = checkout_payload(
        order_id=gid("Order", "first"),
        number="7101",
        voucher_code=voucher_claim.code,
        gift_cards=[gid("GiftCard", 1)],
    )
    deliver(installation, "ORDER_CREATED", first)
    deliver(
        installation,
        "ORDER_CREATED",
        checkout_payload(order_id=gid("Order", "kept"), number="7102", gift_cards=[gid("GiftCard", 2)]),
    )
    assert RewardClaim.objects.filter(used_at__isnull=False).count() == 3

    cancelled = {"order": {**first["order"], "status": "CANCELED"}}
    deliver(installation, "ORDER_CANCELLED", cancelled, issued_at="2026-11-02T11:00:00+00:00")
    deliver(installation, "ORDER_CANCELLED", cancelled, issued_at="2026-11-02T11:00:01+00:00")  # re-delivery
    # A late update of the cancelled order, still listing the codes, does not take them again.
    deliver(installation, "ORDER_UPDATED", cancelled, issued_at="2026-11-02T11:00:02+00:00")

    for claim in (card_claim, voucher_claim, other_claim):
        claim.refresh_from_db()
    assert (card_claim.used_at, card_claim.used_order_saleor_id, card_claim.used_order_number) == (
        None,
        "",
        "",
    )
    assert (voucher_claim.used_at, voucher_claim.used_order_saleor_id) == (None, "")
    assert other_claim.used_order_saleor_id == gid("Order", "kept")  # another order's use stays
    report = selectors.liability_report(installation, CHANNEL)
    assert (report["rewards_issued_unused"], report["rewards_used"]) == (2, 1)

    # The freed codes can be used by the customer's next order.
    deliver(
        installation,
        "ORDER_CREATED",
        checkout_payload(
            order_id=gid("Order", "next"),
            number="7103",
            voucher_code=voucher_claim.code,
            gift_cards=[gid("GiftCard", 1)],
        ),
        issued_at="2026-11-02T12:00:00+00:00",
    )
    card_claim.refresh_from_db()
    voucher_claim.refresh_from_db()
    assert (card_claim.used_order_number, voucher_claim.used_order_number) == ("7103", "7103")
    assert actions.release_rewards_used(installation=installation, order_saleor_id="") == 0
