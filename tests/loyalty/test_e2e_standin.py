"""End to end against the Saleor stand-in: a customer pays -> pending points -> fulfilled -> the return window closes
-> available -> claims a gift card through our API -> the gift card exists in Saleor with the amount and the customer
-> a partial refund of the original order reverses only that line's points. A second test loses Saleor's answer to
giftCardCreate and shows the reconciler finds the card instead of creating a second one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.core.ids import to_global_id  # noqa: E402
from saleor_aftersales.loyalty import actions  # noqa: E402
from saleor_aftersales.loyalty.models import Account, ClaimStatus, Lot, LotStatus, RewardClaim  # noqa: E402
from saleor_aftersales.outbox import actions as outbox_actions  # noqa: E402
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus  # noqa: E402

from .factories import STAFF, make_reward  # noqa: E402
from .invariants import assert_ledger_consistent  # noqa: E402

CLAIM = """
mutation($reward: ID!, $key: String!) {
  loyaltyRewardClaimCreate(rewardId: $reward, idempotencyKey: $key, channel: "default-channel") {
    claim { id status code points }
    errors { field code message }
  }
}
"""
MY_CLAIMS = '{ myLoyaltyAccount(channel: "default-channel") { availablePoints pendingPoints claims { status code } } }'


def _drain_outbox(rounds=6):
    for _ in range(rounds):
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())
        if not outbox_actions.dispatch_due():
            break


def _member_with_available_points(app):
    saleor = app.saleor
    actions.save_programme(
        installation=app.installation,
        channel_slug="default-channel",
        actor=STAFF,
        values={"points_per_unit": Decimal("2")},
    )
    shoe = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
    socks = saleor.create_product("Socks", variants=[{"sku": "SOCK-1", "price": Decimal("8.00")}])
    customer = saleor.create_customer("runner@example.com", "Ada", "Lovelace")
    order = saleor.create_order(customer, lines=[(shoe, 2), (socks, 1)], shipping=Decimal("10.00"))
    saleor.pay_order(order)  # ORDER_FULLY_PAID -> pending points per line

    account = Account.objects.get(installation=app.installation)
    # 2 points per unit of net paid: shoes 100 -> 200, socks 8 -> 16; shipping earns nothing.
    assert (account.email, account.user_id, account.available_points, account.pending_points) == (
        "runner@example.com",
        customer["id"],
        0,
        216,
    )
    lots = list(Lot.objects.filter(account=account).order_by("points"))
    assert [lot.release_at for lot in lots] == [None, None]

    saleor.fulfill_order(order)  # the return window starts: the release date is when it closes
    lots = [Lot.objects.get(pk=lot.pk) for lot in lots]
    assert lots[0].release_at is not None and lots[0].release_at > timezone.now()
    # The window closes (we run the beat task at that moment).
    assert actions.release_due_lots(now=lots[0].release_at) == 2
    account.refresh_from_db()
    assert (account.available_points, account.pending_points) == (216, 0)
    return customer, order, account


def test_points_from_payment_to_gift_card_and_partial_refund(installed_app, gql):
    app = installed_app
    saleor = app.saleor
    customer, order, account = _member_with_available_points(app)
    reward = make_reward(app.installation, points_cost=150, value=Decimal("15.00"))
    token = saleor.issue_customer_token(customer)

    body = gql(CLAIM, {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "claim-1"}, token=token)
    assert body["data"]["loyaltyRewardClaimCreate"]["errors"] == [], body
    _drain_outbox()

    [card] = saleor.state.gift_cards
    assert (card["initialBalance"]["amount"], card["initialBalance"]["currency"]) == (
        Decimal("15.000"),
        "USD",
    )
    assert card["assignedTo"]["id"] == customer["id"]
    assert len(saleor.calls_to("giftCardCreate")) == 1
    mine = gql(MY_CLAIMS, token=token)["data"]["myLoyaltyAccount"]
    assert mine["claims"] == [{"status": "ISSUED", "code": card["code"]}]
    assert mine["availablePoints"] == 66

    # Partial refund of the original order: one of the two shoes -> exactly 100 of its 200 points.
    shoe_line = next(line for line in order["lines"] if line["productSku"] == "SHOE-42")
    saleor.refund_order(order, lines=[(shoe_line, 1)])
    account.refresh_from_db()
    assert account.available_points == 66 - 100
    assert sorted(Lot.objects.filter(account=account).values_list("points", "reversal_applied")) == [
        (16, 0),
        (200, 100),
    ]
    assert gql(MY_CLAIMS, token=token)["data"]["myLoyaltyAccount"]["availablePoints"] == -34
    assert_ledger_consistent(account)
    saleor.assert_no_invalid_documents()


def test_lost_gift_card_answer_is_reconciled_not_duplicated(installed_app, gql):
    app = installed_app
    saleor = app.saleor
    customer, _order, account = _member_with_available_points(app)
    reward = make_reward(app.installation, points_cost=100, value=Decimal("10.00"))
    saleor.faults.add(operation="giftCardCreate", kind="http502", times=1, when="after")

    body = gql(
        CLAIM,
        {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "k"},
        token=saleor.issue_customer_token(customer),
    )
    assert body["data"]["loyaltyRewardClaimCreate"]["errors"] == [], body
    _drain_outbox()

    assert len(saleor.state.gift_cards) == 1
    claim = RewardClaim.objects.get()
    assert (claim.status, claim.code) == (ClaimStatus.ISSUED, saleor.state.gift_cards[0]["code"])
    account.refresh_from_db()
    assert account.available_points == 116
    assert Lot.objects.filter(account=account, status=LotStatus.AVAILABLE).count() == 2


def test_free_shipping_voucher_claim_creates_a_single_use_code_in_saleor(installed_app, gql):
    from saleor_aftersales.loyalty.models import RewardKind

    app = installed_app
    saleor = app.saleor
    customer, _order, account = _member_with_available_points(app)
    reward = make_reward(
        app.installation,
        kind=RewardKind.FREE_SHIPPING,
        points_cost=80,
        value=Decimal("0"),
        name_en="Free shipping",
    )
    # The first voucherCreate answer is lost after Saleor created it: the reconciler finds it by its code.
    saleor.faults.add(operation="voucherCreate", kind="http502", times=1, when="after")

    body = gql(
        CLAIM,
        {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "ship"},
        token=saleor.issue_customer_token(customer),
    )
    assert body["data"]["loyaltyRewardClaimCreate"]["errors"] == [], body
    _drain_outbox()

    [voucher] = saleor.state.vouchers
    claim = RewardClaim.objects.get()
    assert claim.status == ClaimStatus.ISSUED
    assert [c["code"] for c in voucher["_codes"]] == [claim.code]
    assert (voucher["type"], voucher["singleUse"], voucher["usageLimit"]) == ("SHIPPING", True, 1)
    assert [(cl["channel"]["slug"], cl["discountValue"]) for cl in voucher["channelListings"]] == [
        ("default-channel", Decimal("100.000"))
    ]
    account.refresh_from_db()
    assert account.available_points == 216 - 80

    # A later order uses the code at checkout: Saleor's order payload names it, the claim is marked used.
    socks = next(p for p in saleor.state.products if p["name"] == "Socks")
    later = saleor.create_order(customer, lines=[(socks, 1)], shipping=Decimal("5.00"))
    later["voucherCode"] = claim.code
    saleor.pay_order(later)  # ORDER_FULLY_PAID, ORDER_UPDATED with voucherCode
    claim.refresh_from_db()
    assert (claim.used_order_saleor_id, claim.used_order_number) == (later["id"], str(later["number"]))
    assert (
        actions.mark_rewards_used(
            installation=app.installation, order_saleor_id="other", voucher_codes=[claim.code]
        )
        == 0
    )  # first use wins
    saleor.assert_no_invalid_documents()
