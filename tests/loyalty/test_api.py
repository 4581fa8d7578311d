"""Loyalty GraphQL API: customer view, claims (idempotent, exactly one Saleor call), staff tools, bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import (
    Account,
    ClaimStatus,
    LedgerEntry,
    Lot,
    RewardClaim,
    RewardKind,
    Tier,
)
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.outbox.registry import callback

from .factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, fulfill, make_order, make_programme, make_reward
from .invariants import assert_ledger_consistent

SALEOR = Actor.saleor()

MY_ACCOUNT = """
query($channel: String!) {
  myLoyaltyAccount(channel: $channel) {
    id channel availablePoints pendingPoints redemptionBlocked
    pendingReleases { points at }
    expiringSoon(days: 1000) { points at }
    tierProgress { basis qualifying toNextTier multiplier tier { code name(language: "zh-hans") } nextTier { code } }
    ledger(first: 10) { kind points description(language: "zh-hans") note actorEmail orderId }
    lots { id }
    affordableRewards { id name pointsCost amount { amount currency } }
    claims { id status code points reward { name } }
  }
}
"""

CLAIM = """
mutation($reward: ID!, $key: String!, $channel: String) {
  loyaltyRewardClaimCreate(rewardId: $reward, idempotencyKey: $key, channel: $channel) {
    claim { id status points code reward { nameZhHans } }
    errors { field code message }
  }
}
"""

ADJUST = """
mutation($account: ID!, $points: Int!, $reason: String!) {
  loyaltyPointsAdjust(accountId: $account, points: $points, reason: $reason) {
    entry { kind points note actorEmail }
    account { availablePoints }
    errors { field code message }
  }
}
"""


@pytest.fixture
def member(installation):
    """A member with 300 available points (released purchase) and 40 pending ones."""
    programme = make_programme(installation, lot_expiry_days=365)
    Tier.objects.create(
        programme=programme,
        code="silver",
        name_en="Silver",
        name_zh_hans="银卡",
        threshold=200,
        multiplier=Decimal("1.2"),
    )
    Tier.objects.create(programme=programme, code="gold", name_en="Gold", name_zh_hans="金卡", threshold=1000)
    paid = make_order(installation, lines=((Decimal("150.00"), 2),))
    actions.earn_for_order(order=paid, actor=SALEOR)
    fulfill(paid)
    actions.refresh_release_dates(order=paid)
    actions.release_due_lots(now=paid.fulfilled_at + timedelta(days=91))
    actions.earn_for_order(order=make_order(installation, lines=((Decimal("40.00"), 1),)), actor=SALEOR)
    return Account.objects.get(email=EMAIL)


@pytest.fixture
def customer_token(make_token):
    return make_token(email=EMAIL, user_id=CUSTOMER_ID)


def test_customer_sees_balance_pending_tier_history_and_affordable_rewards(
    installation, member, gql, customer_token
):
    cheap = make_reward(installation, points_cost=100)
    make_reward(installation, points_cost=5000, name_en="Too dear")

    data = gql(MY_ACCOUNT, {"channel": CHANNEL}, token=customer_token)["data"]["myLoyaltyAccount"]

    assert (data["availablePoints"], data["pendingPoints"], data["redemptionBlocked"]) == (300, 48, False)
    # 40 pending points x 1.2 (silver after 300 released) = 48, release date unknown until fulfilled.
    assert data["pendingReleases"] == [{"points": 48, "at": None}]
    assert [row["points"] for row in data["expiringSoon"]] == [300]
    assert data["tierProgress"]["tier"] == {"code": "silver", "name": "银卡"}
    assert (data["tierProgress"]["nextTier"]["code"], data["tierProgress"]["toNextTier"]) == (
        "gold",
        "700.000",
    )
    assert [e["kind"] for e in data["ledger"]] == ["EARN_PENDING", "RELEASE", "EARN_PENDING"]
    assert data["ledger"][1]["description"] == "积分已生效"
    assert {e["note"] for e in data["ledger"]} == {None} and {e["actorEmail"] for e in data["ledger"]} == {
        None
    }
    assert data["lots"] == []  # staff only
    assert [r["id"] for r in data["affordableRewards"]] == [to_global_id("LoyaltyReward", cheap.pk)]
    assert data["affordableRewards"][0]["amount"] == {"amount": "10.000", "currency": "USD"}


def test_non_member_gets_an_empty_account_without_writes(installation, gql, make_token):
    make_programme(installation)
    token = make_token(email="new@example.com")
    data = gql(MY_ACCOUNT, {"channel": CHANNEL}, token=token)["data"]["myLoyaltyAccount"]
    assert (data["id"], data["availablePoints"], data["ledger"], data["claims"]) == (None, 0, [], [])
    assert Account.objects.count() == 0


def test_claim_deducts_once_and_enqueues_one_gift_card(installation, member, gql, customer_token):
    reward = make_reward(installation, points_cost=120, value=Decimal("12.50"), validity_days=30)
    variables = {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "tap-1", "channel": CHANNEL}

    first = gql(CLAIM, variables, token=customer_token)["data"]["loyaltyRewardClaimCreate"]
    again = gql(CLAIM, variables, token=customer_token)["data"]["loyaltyRewardClaimCreate"]

    assert first["errors"] == [] and again["claim"]["id"] == first["claim"]["id"]
    assert (first["claim"]["status"], first["claim"]["points"], first["claim"]["code"]) == (
        "PENDING",
        120,
        None,
    )
    member.refresh_from_db()
    assert member.available_points == 180
    message = OutboxMessage.objects.get()
    assert message.operation == "GiftCardCreateLoyaltyReward"
    card_input = message.variables["input"]
    assert card_input["balance"] == {"amount": "12.500", "currency": "USD"}
    assert card_input["assignedTo"] == CUSTOMER_ID
    assert card_input["addTags"][0] == message.idempotency_key
    assert {"key": "aftersales_idempotency_key", "value": message.idempotency_key} in card_input["metadata"]
    # Saleor answers: the claim is issued and shows the code.
    callback(message.on_success)(
        message, {"giftCardCreate": {"giftCard": {"id": "R2lmdENhcmQ6MQ==", "code": "ABCD1234"}}}
    )
    data = gql(MY_ACCOUNT, {"channel": CHANNEL}, token=customer_token)["data"]["myLoyaltyAccount"]
    assert data["claims"][0]["status"] == "ISSUED" and data["claims"][0]["code"] == "ABCD1234"
    assert_ledger_consistent(member)


def test_voucher_claim_generates_a_single_use_code_and_chains_the_channel_value(
    installation, member, gql, customer_token
):
    reward = make_reward(
        installation,
        kind=RewardKind.PERCENTAGE_VOUCHER,
        value=Decimal("15"),
        points_cost=50,
        name_en="15 % off",
    )
    result = gql(
        CLAIM, {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "v-1"}, token=customer_token
    )["data"]["loyaltyRewardClaimCreate"]
    assert result["errors"] == []
    claim = RewardClaim.objects.get()
    created = OutboxMessage.objects.get()
    assert created.variables["input"]["addCodes"] == [claim.code]
    assert (created.variables["input"]["singleUse"], created.variables["input"]["usageLimit"]) == (True, 1)
    assert created.variables["input"]["discountValueType"] == "PERCENTAGE"

    callback(created.on_success)(
        created, {"voucherCreate": {"voucher": {"id": "Vm91Y2hlcjox", "code": claim.code}}}
    )

    listing = OutboxMessage.objects.exclude(pk=created.pk).get()
    assert listing.operation == "VoucherChannelListingUpdateLoyaltyReward"
    assert listing.variables["input"]["addChannels"][0]["discountValue"] == "15.000"
    callback(listing.on_success)(
        listing, {"voucherChannelListingUpdate": {"voucher": {"id": "Vm91Y2hlcjox"}}}
    )
    claim.refresh_from_db()
    assert (claim.status, claim.saleor_object_id) == (ClaimStatus.ISSUED, "Vm91Y2hlcjox")


def test_failed_issue_refunds_the_points_to_the_same_lots(installation, member, gql, customer_token):
    reward = make_reward(installation, points_cost=100)
    lot = Lot.objects.get(status="available")
    expiry = lot.expires_at
    gql(CLAIM, {"reward": to_global_id("LoyaltyReward", reward.pk), "key": "f-1"}, token=customer_token)
    message = OutboxMessage.objects.get()

    callback(message.on_failure)(message, {"error": "GiftCardError: INVALID"})
    callback(message.on_failure)(message, {"error": "GiftCardError: INVALID"})

    member.refresh_from_db()
    lot.refresh_from_db()
    assert member.available_points == 300
    assert (lot.remaining, lot.expires_at) == (300, expiry)
    assert RewardClaim.objects.get().status == ClaimStatus.FAILED
    assert LedgerEntry.objects.filter(type="restore").count() == 1
    assert_ledger_consistent(member)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("too_dear", "INSUFFICIENT_POINTS"),
        ("unknown", "REWARD_NOT_FOUND"),
        ("garbage_id", "REWARD_NOT_FOUND"),
        ("expired", "REWARD_EXPIRED"),
        ("other_channel", "REWARD_CHANNEL_MISMATCH"),
        ("limit", "CLAIM_LIMIT_REACHED"),
        ("below_minimum", "BELOW_MINIMUM_REDEMPTION"),
        ("empty_key", "INVALID"),
    ],
)
def test_bad_claims_are_typed_errors_and_change_nothing(
    installation, member, gql, customer_token, case, code
):
    reward = make_reward(installation, points_cost=100, per_customer_limit=1)
    reward_id = to_global_id("LoyaltyReward", reward.pk)
    channel, key = CHANNEL, "k-1"
    if case == "limit":
        gql(CLAIM, {"reward": reward_id, "key": "earlier"}, token=customer_token)
    before = (LedgerEntry.objects.count(), OutboxMessage.objects.count(), RewardClaim.objects.count())
    if case == "too_dear":
        reward_id = to_global_id("LoyaltyReward", make_reward(installation, points_cost=301).pk)
    elif case == "unknown":
        reward_id = to_global_id("LoyaltyReward", 999999)
    elif case == "garbage_id":
        reward_id = "not-an-id"
    elif case == "expired":
        reward.available_until = reward.created_at - timedelta(days=1)
        reward.available_from = None
        reward.save()
    elif case == "other_channel":
        channel = "other-channel"
    elif case == "below_minimum":
        make_programme(installation, min_redemption_points=500)
    elif case == "empty_key":
        key = " "

    result = gql(CLAIM, {"reward": reward_id, "key": key, "channel": channel}, token=customer_token)
    payload = result["data"]["loyaltyRewardClaimCreate"]

    assert [e["code"] for e in payload["errors"]] == [code]
    assert payload["claim"] is None
    assert (LedgerEntry.objects.count(), OutboxMessage.objects.count(), RewardClaim.objects.count()) == before


def test_staff_views_any_account_adjusts_with_reason_and_sees_the_audit(
    installation, member, gql, staff_token
):
    token = staff_token("MANAGE_USERS")
    account_id = to_global_id("LoyaltyAccount", member.pk)

    result = gql(ADJUST, {"account": account_id, "points": 25, "reason": "Parcel arrived late"}, token=token)
    data = gql(
        "query($id: ID!) { loyaltyAccount(id: $id) { email availablePoints lots { status remaining expiresAt } "
        "ledger(first: 1) { kind note actorEmail } } }",
        {"id": account_id},
        token=token,
    )["data"]["loyaltyAccount"]

    payload = result["data"]["loyaltyPointsAdjust"]
    assert payload["errors"] == []
    assert payload["entry"] == {
        "kind": "ADJUST",
        "points": 25,
        "note": "Parcel arrived late",
        "actorEmail": "staff@example.com",
    }
    assert payload["account"]["availablePoints"] == 325
    assert data["email"] == EMAIL and data["availablePoints"] == 325
    assert sorted(lot["status"] for lot in data["lots"]) == ["AVAILABLE", "AVAILABLE", "PENDING"]
    assert data["ledger"][0] == {
        "kind": "ADJUST",
        "note": "Parcel arrived late",
        "actorEmail": "staff@example.com",
    }


@pytest.mark.parametrize(
    ("points", "reason", "code"),
    [
        (-301, "x", "INSUFFICIENT_POINTS"),
        (10**7, "x", "OUT_OF_RANGE"),
        (-(10**7), "x", "OUT_OF_RANGE"),
        (5, "", "REQUIRED"),
        (0, "x", "OUT_OF_RANGE"),
    ],
)
def test_bad_adjustments_via_api(installation, member, gql, staff_token, points, reason, code):
    before = LedgerEntry.objects.count()
    result = gql(
        ADJUST,
        {"account": to_global_id("LoyaltyAccount", member.pk), "points": points, "reason": reason},
        token=staff_token("MANAGE_USERS"),
    )
    assert [e["code"] for e in result["data"]["loyaltyPointsAdjust"]["errors"]] == [code]
    assert LedgerEntry.objects.count() == before


def test_customers_cannot_reach_staff_tools_or_other_accounts(
    installation, member, gql, make_token, staff_token
):
    other = make_token(email="other@example.com")
    account_id = to_global_id("LoyaltyAccount", member.pk)

    adjust = gql(ADJUST, {"account": account_id, "points": 5, "reason": "me"}, token=other)
    view = gql(
        "query($id: ID!) { loyaltyAccount(id: $id) { availablePoints } }", {"id": account_id}, token=other
    )
    mine = gql(MY_ACCOUNT, {"channel": CHANNEL}, token=other)["data"]["myLoyaltyAccount"]
    no_perm = gql(
        ADJUST, {"account": account_id, "points": 5, "reason": "x"}, token=staff_token("MANAGE_ORDERS")
    )

    assert [e["code"] for e in adjust["data"]["loyaltyPointsAdjust"]["errors"]] == ["PERMISSION_DENIED"]
    assert view["data"]["loyaltyAccount"] is None and view["errors"]
    assert (mine["availablePoints"], mine["pendingPoints"]) == (0, 0)
    assert [e["code"] for e in no_perm["data"]["loyaltyPointsAdjust"]["errors"]] == ["PERMISSION_DENIED"]
    member.refresh_from_db()
    assert member.available_points == 300


def test_staff_setup_programme_tier_rule_reward_and_liability(installation, gql, staff_token):
    token = staff_token("MANAGE_DISCOUNTS", "MANAGE_USERS")
    programme = gql(
        'mutation { loyaltyProgrammeUpdate(channel: "default-channel", input: {pointsPerUnit: "2", '
        'pointValue: "0.01", signupPoints: 50, maxBalance: 0, tierBasis: SPEND}) '
        "{ programme { channel pointsPerUnit signupPoints maxBalance tierBasis rounding } errors { code field } } }",
        token=token,
    )["data"]["loyaltyProgrammeUpdate"]
    tier = gql(
        'mutation { loyaltyTierSave(channel: "default-channel", code: "gold", input: {nameEn: "Gold", '
        'nameZhHans: "金卡", threshold: "500", multiplier: "2"}) { tier { code name } errors { code } } }',
        token=token,
    )["data"]["loyaltyTierSave"]
    rule = gql(
        'mutation { loyaltyEarnRuleSet(channel: "default-channel", scope: "category", targetId: "Q2F0ZWdvcnk6MQ==", '
        'multiplier: "0") { rule { scope multiplier } errors { code } } }',
        token=token,
    )["data"]["loyaltyEarnRuleSet"]
    reward = gql(
        'mutation { loyaltyRewardSave(input: {channel: "default-channel", kind: FREE_SHIPPING, nameEn: "Free shipping", '
        'nameZhHans: "免运费", pointsCost: 80}) { reward { id kind name pointsCost } errors { code field } } }',
        token=token,
    )["data"]["loyaltyRewardSave"]
    bad_reward = gql(
        'mutation { loyaltyRewardSave(input: {channel: "default-channel", kind: PERCENTAGE_VOUCHER, nameEn: "x", '
        'nameZhHans: "x", pointsCost: 80, value: "150"}) { reward { id } errors { code field } } }',
        token=token,
    )["data"]["loyaltyRewardSave"]
    report = gql(
        'query { loyaltyLiabilityReport(channel: "default-channel") { outstandingPoints outstandingValue { amount currency } '
        "breakageRate } }",
        token=token,
    )["data"]["loyaltyLiabilityReport"]

    assert programme["errors"] == []
    assert (
        programme["programme"]["pointsPerUnit"] == "2.0000" and programme["programme"]["maxBalance"] is None
    )
    assert programme["programme"]["tierBasis"] == "SPEND"
    assert tier == {"tier": {"code": "gold", "name": "Gold"}, "errors": []}
    assert rule == {"rule": {"scope": "category", "multiplier": "0.000"}, "errors": []}
    assert reward["errors"] == [] and reward["reward"]["kind"] == "FREE_SHIPPING"
    assert bad_reward["errors"] == [{"code": "OUT_OF_RANGE", "field": "value"}]
    assert report == {
        "outstandingPoints": 0,
        "outstandingValue": {"amount": "0.00", "currency": "USD"},
        "breakageRate": "0",
    }


def test_staff_account_list_sql_is_constant(installation, gql, staff_token, django_assert_max_num_queries):
    programme = make_programme(installation)
    Tier.objects.create(programme=programme, code="silver", name_en="S", name_zh_hans="银", threshold=10)
    query = (
        "{ loyaltyAccounts(first: 100) { email availablePoints tierProgress { qualifying tier { code } } } }"
    )
    token = staff_token("MANAGE_USERS")

    def members(count: int) -> None:
        for _ in range(count):
            n = Account.objects.count()
            order = make_order(installation, user_id=f"u{n}", email=f"m{n}@example.com")
            actions.earn_for_order(order=order, actor=SALEOR)

    members(2)
    with django_assert_max_num_queries(6):
        small = gql(query, token=token)["data"]["loyaltyAccounts"]
    members(20)
    with django_assert_max_num_queries(6):
        large = gql(query, token=token)["data"]["loyaltyAccounts"]
    assert (len(small), len(large)) == (2, 22)


def test_customer_view_sql_is_constant_as_history_grows(
    installation, member, gql, customer_token, django_assert_max_num_queries
):
    make_reward(installation, points_cost=10)
    with django_assert_max_num_queries(14):
        gql(MY_ACCOUNT, {"channel": CHANNEL}, token=customer_token)
    for n in range(30):
        actions.adjust_points(
            account=member, points=1, reason=f"r{n}", actor=STAFF.__class__(type=STAFF.type, user_id=f"s{n}")
        )
        actions.redeem_points(account=member, points=1, idempotency_key=f"x{n}", actor=SALEOR)
    with django_assert_max_num_queries(14):
        data = gql(MY_ACCOUNT, {"channel": CHANNEL}, token=customer_token)["data"]["myLoyaltyAccount"]
    assert len(data["ledger"]) == 10


def test_expiring_soon_uses_time(installation, member, gql, make_token):
    with time_machine.travel(Lot.objects.get(status="available").expires_at - timedelta(days=3), tick=False):
        customer_token = make_token(email=EMAIL, user_id=CUSTOMER_ID)
        data = gql(
            'query { myLoyaltyAccount(channel: "default-channel") { expiringSoon(days: 7) { points } } }',
            token=customer_token,
        )["data"]["myLoyaltyAccount"]
    assert data["expiringSoon"] == [{"points": 300}]
