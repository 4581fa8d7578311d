"""Outbox callbacks (reward issued / failed) and reconcilers (did an unanswered call take effect in Saleor?)."""

from __future__ import annotations

from ..outbox.actions import enqueue
from ..outbox.registry import outbox_callback, outbox_reconciler
from ..saleor_client.client import mutation_result
from . import actions
from .models import ClaimStatus, RewardClaim


@outbox_callback(actions.ON_GIFT_CARD_ISSUED)
def gift_card_issued(message, result: dict) -> None:
    claim = actions.claim_for_message(message)
    if claim is None:
        return
    card = (mutation_result(result) or {}).get("giftCard") or {}
    actions.mark_claim_issued(claim=claim, saleor_object_id=card.get("id") or "", code=card.get("code") or "")


@outbox_callback(actions.ON_VOUCHER_CREATED)
def voucher_created(message, result: dict) -> None:
    """The voucher exists; give it its value in the claim's channel (chained, exactly once)."""
    claim = actions.claim_for_message(message)
    if claim is None or claim.status != ClaimStatus.PENDING:
        return
    voucher = (mutation_result(result) or {}).get("voucher") or {}
    RewardClaim.objects.filter(pk=claim.pk).update(saleor_object_id=voucher.get("id") or "")
    enqueue(
        installation=claim.installation,
        idempotency_key=f"{message.idempotency_key}:listing",
        operation="VoucherChannelListingUpdateLoyaltyReward",
        variables=actions.voucher_listing_variables(claim, voucher["id"]),
        subject_type=actions.SUBJECT,
        subject_id=claim.pk,
        on_success=actions.ON_VOUCHER_LISTED,
        on_failure=actions.ON_CLAIM_FAILED,
    )


@outbox_callback(actions.ON_VOUCHER_LISTED)
def voucher_listed(message, result: dict) -> None:
    claim = actions.claim_for_message(message)
    if claim is None:
        return
    voucher = (mutation_result(result) or {}).get("voucher") or {}
    actions.mark_claim_issued(claim=claim, saleor_object_id=voucher.get("id") or claim.saleor_object_id)


@outbox_callback(actions.ON_CLAIM_FAILED)
def claim_failed(message, result: dict) -> None:
    claim = actions.claim_for_message(message)
    if claim is None:
        return
    actions.fail_claim(claim=claim, error=f"{message.operation}: {(result or {}).get('error') or ''}")


@outbox_reconciler("GiftCardCreateLoyaltyReward")
def reconcile_gift_card(client, message) -> dict | None:
    data = client.execute("LoyaltyGiftCardsByTag", {"tag": message.idempotency_key})
    edges = (data.get("giftCards") or {}).get("edges") or []
    if edges:
        return {"giftCardCreate": {"giftCard": edges[0]["node"], "errors": []}}
    return None


def _voucher_with_code(client, code: str) -> dict | None:
    data = client.execute("LoyaltyVouchersByCode", {"code": code})
    for edge in (data.get("vouchers") or {}).get("edges") or []:
        node = edge["node"]
        codes = {c["node"]["code"] for c in ((node.get("codes") or {}).get("edges") or [])}
        if code in codes or node.get("code") == code:
            return node
    return None


@outbox_reconciler("VoucherCreateLoyaltyReward")
def reconcile_voucher(client, message) -> dict | None:
    code = (message.variables.get("input") or {}).get("addCodes", [""])[0]
    node = _voucher_with_code(client, code) if code else None
    if node is None:
        return None
    return {"voucherCreate": {"voucher": node, "errors": []}}


@outbox_reconciler("VoucherChannelListingUpdateLoyaltyReward")
def reconcile_voucher_listing(client, message) -> dict | None:
    claim = RewardClaim.objects.filter(pk=int(message.subject_id)).first()
    if claim is None or not claim.code:
        return None
    node = _voucher_with_code(client, claim.code)
    wanted = {item["channelId"] for item in message.variables["input"].get("addChannels") or []}
    listed = {(cl.get("channel") or {}).get("id") for cl in (node or {}).get("channelListings") or []}
    if node is not None and wanted <= listed:
        return {"voucherChannelListingUpdate": {"voucher": node, "errors": []}}
    return None
