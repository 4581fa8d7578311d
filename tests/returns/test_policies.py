from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from saleor_aftersales.returns import error_codes, policies
from saleor_aftersales.returns.policies import LineFacts, PolicyTerms, RefundLine, RuleOverride

START = datetime(2026, 1, 1, tzinfo=UTC)
REASONS = {"wrong-size": "no_reason", "quality-defect": "quality", "damaged-in-transit": "logistics"}
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
category = st.sampled_from(["no_reason", "quality", "logistics", "other"])


@given(
    bought=st.integers(0, 50),
    fulfilled=st.integers(0, 50),
    returned=st.integers(0, 50),
    held=st.integers(0, 50),
)
def test_returnable_quantity_is_never_negative_nor_above_fulfilled(bought, fulfilled, returned, held):
    facts = LineFacts(bought, fulfilled, returned, held, START)
    quantity = policies.returnable_quantity(facts)
    assert 0 <= quantity <= min(bought, fulfilled)
    assert quantity == max(min(bought, fulfilled) - returned - held, 0)


@given(
    lines=st.lists(st.tuples(prices, st.integers(1, 5), category, percent), min_size=1, max_size=5),
    shipping=prices,
    refund_shipping=st.booleans(),
    fee=prices,
    charge=st.booleans(),
)
def test_refund_total_is_bounded_and_never_negative(lines, shipping, refund_shipping, fee, charge):
    refund_lines = [RefundLine(price, qty, cat, pct) for price, qty, cat, pct in lines]
    result = policies.refund_breakdown(
        refund_lines,
        currency="USD",
        order_shipping=shipping,
        refund_shipping=refund_shipping,
        return_shipping_fee=fee,
        charge_return_shipping=charge,
    )
    items = sum(price * qty for price, qty, _, _ in lines)
    assert Decimal("0") <= result.total <= items + (shipping if refund_shipping else 0)
    assert result.total == result.total.quantize(Decimal("0.01"))
    merchant_fault = sum(p * q for p, q, c, _ in lines if c != "no_reason")
    # Restocking fees never touch items that come back for the merchant's fault.
    assert result.restocking_fee <= items - merchant_fault + Decimal("0.01")


def test_refund_example_with_restocking_fee_and_shipping():
    result = policies.refund_breakdown(
        [
            RefundLine(Decimal("50"), 2, "no_reason", Decimal("10")),
            RefundLine(Decimal("20"), 1, "quality", Decimal("10")),
        ],
        currency="USD",
        order_shipping=Decimal("8.50"),
        refund_shipping=True,
    )
    assert (result.items, result.restocking_fee, result.shipping_refund, result.total) == (
        Decimal("120.00"),
        Decimal("10.00"),
        Decimal("8.50"),
        Decimal("118.50"),
    )


@given(total=prices, bonus=percent)
def test_store_credit_is_at_least_the_refund(total, bonus):
    credit = policies.store_credit_amount(total, bonus, "USD")
    assert credit >= total
    assert credit == (total * (100 + bonus) / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@given(old=prices, new=prices, qty=st.integers(1, 10))
def test_exchange_difference_sign_follows_prices(old, new, qty):
    diff = policies.exchange_difference(
        returned_unit_price=old, new_unit_price=new, quantity=qty, currency="USD"
    )
    assert diff == ((new - old) * qty).quantize(Decimal("0.01"))
    assert (diff > 0) == (new > old)


@given(days=st.integers(0, 400))
def test_no_reason_window_is_seven_days_by_default(days):
    terms = PolicyTerms()
    now = START + timedelta(days=days)
    result = policies.line_eligibility(
        terms, LineFacts(1, 1, 0, 0, START), reason_categories=REASONS, now=now
    )
    assert ("wrong-size" in result.allowed_reason_codes) == (days <= 7)
    assert ("quality-defect" in result.allowed_reason_codes) == (days <= 90)
    if days > 90:
        assert result.not_returnable_code == error_codes.WINDOW_CLOSED
        assert result.returnable_quantity == 0


def test_final_sale_accepts_only_merchant_faults_and_non_returnable_nothing():
    facts = LineFacts(1, 1, 0, 0, START)
    final = policies.line_eligibility(
        PolicyTerms(final_sale=True), facts, reason_categories=REASONS, now=START
    )
    assert final.allowed_reason_codes == ("damaged-in-transit", "quality-defect")
    blocked = policies.line_eligibility(
        PolicyTerms(non_returnable=True), facts, reason_categories=REASONS, now=START
    )
    assert blocked.not_returnable_code == error_codes.NOT_RETURNABLE and blocked.returnable_quantity == 0
    unshipped = policies.line_eligibility(
        PolicyTerms(), LineFacts(1, 0, 0, 0, None), reason_categories=REASONS, now=START
    )
    assert unshipped.not_returnable_code == error_codes.NOT_FULFILLED


@given(
    type_days=st.none() | st.integers(1, 100),
    cat_days=st.none() | st.integers(1, 100),
    prod_days=st.none() | st.integers(1, 100),
)
def test_override_precedence_product_over_category_over_type(type_days, cat_days, prod_days):
    rules = [
        RuleOverride("product_type", "T", {"window_days": type_days}),
        RuleOverride("category", "C", {"window_days": cat_days}),
        RuleOverride("product", "P", {"window_days": prod_days}),
        RuleOverride("product", "OTHER", {"window_days": 999}),
    ]
    terms = policies.effective_terms(
        PolicyTerms(window_days=30), rules, product_id="P", category_id="C", product_type_id="T"
    )
    expected = next((d for d in (prod_days, cat_days, type_days) if d is not None), 30)
    assert terms.window_days == expected


def test_product_metadata_flags_final_sale():
    terms = policies.effective_terms(PolicyTerms(), [], product_metadata={"final_sale": "true"})
    assert terms.final_sale is True


def test_window_starts_at_delivery_once_known():
    delivered = START + timedelta(days=4)
    terms = PolicyTerms(window_starts="delivery")
    assert policies.window_start(terms, fulfilled_at=START, delivered_at=None) == START
    assert policies.window_start(terms, fulfilled_at=START, delivered_at=delivered) == delivered
    assert policies.window_start(PolicyTerms(), fulfilled_at=START, delivered_at=delivered) == START


@given(value=prices, limit=prices)
def test_auto_approval_by_value(value, limit):
    terms = PolicyTerms(auto_approve_max_value=limit)
    rule = policies.auto_approval_rule(
        terms, request_value=value, trusted_customer=False, categories=["no_reason"], photo_count=0
    )
    assert (rule == "value_under_limit") == (value <= limit)


def test_auto_approval_defect_with_photos_and_trusted():
    terms = PolicyTerms(auto_approve_defects_with_photos=True, auto_approve_trusted_customers=True)
    kw = {"request_value": Decimal("1"), "trusted_customer": False}
    assert (
        policies.auto_approval_rule(terms, categories=["quality"], photo_count=1, **kw)
        == "defect_with_photos"
    )
    assert policies.auto_approval_rule(terms, categories=["quality"], photo_count=0, **kw) is None
    assert (
        policies.auto_approval_rule(terms, categories=["quality", "no_reason"], photo_count=2, **kw) is None
    )
    assert (
        policies.auto_approval_rule(
            terms, request_value=Decimal("1"), trusted_customer=True, categories=[], photo_count=0
        )
        == "trusted_customer"
    )


@given(limit=st.none() | st.integers(1, 10), count=st.integers(0, 20))
def test_abuse_limit(limit, count):
    assert policies.within_abuse_limit(
        PolicyTerms(max_requests_per_customer=limit), requests_in_period=count
    ) == (limit is None or count < limit)


@given(
    days=st.integers(0, 400),
    window=st.integers(0, 120),
    no_reason=st.integers(0, 60),
    quality=st.integers(0, 365),
    final_sale=st.booleans(),
    fulfilled=st.integers(0, 5),
    returned=st.integers(0, 5),
)
def test_eligibility_is_consistent(days, window, no_reason, quality, final_sale, fulfilled, returned):
    terms = PolicyTerms(
        window_days=window, no_reason_days=no_reason, quality_window_days=quality, final_sale=final_sale
    )
    now = START + timedelta(days=days)
    result = policies.line_eligibility(
        terms, LineFacts(5, fulfilled, returned, 0, START), reason_categories=REASONS, now=now
    )
    if result.is_returnable:
        assert 0 < result.returnable_quantity <= fulfilled - returned
        assert result.allowed_reason_codes
        # Every allowed reason is still inside its own window, and the deadline is the latest of them.
        for code in result.allowed_reason_codes:
            assert now <= policies.deadline_for(terms, START, REASONS[code]) <= result.deadline
        if final_sale:
            assert "wrong-size" not in result.allowed_reason_codes
    else:
        assert result.returnable_quantity == 0 and result.allowed_reason_codes == ()
        assert result.not_returnable_code in {
            error_codes.NOT_FULFILLED,
            error_codes.QUANTITY_EXCEEDS_RETURNABLE,
            error_codes.WINDOW_CLOSED,
            error_codes.NOT_RETURNABLE,
        }


def test_shipping_payer_per_reason_code_overrides_category():
    terms = PolicyTerms(
        shipping_payers={"no_reason": "customer", "wrong-size": "merchant", "quality": "merchant"}
    )
    assert policies.shipping_payer(terms, "no_reason", "wrong-size") == "merchant"
    assert policies.shipping_payer(terms, "no_reason", "changed-mind") == "customer"
    assert policies.shipping_payer(terms, "quality", "quality-defect") == "merchant"
    assert policies.shipping_payer(PolicyTerms(shipping_payers={}), "other") == "customer"
