"""Gift cards (giftCardCreate) and vouchers (voucherCreate, voucherChannelListingUpdate)."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..schema_exec import MutationErrors, error
from ..state import Obj, State, metadata_items, money, now, q

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _tag(state: State, name: str) -> Obj:
    for card in state.gift_cards:
        for tag in card["tags"]:
            if tag["name"] == name:
                return tag
    return {"__typename": "GiftCardTag", "id": state.new_gid("GiftCardTag"), "name": name}


def gift_card_event(state: State, card: Obj, event_type: str, actor: Obj | None, **fields: Any) -> Obj:
    event: Obj = {
        "__typename": "GiftCardEvent",
        "id": state.new_gid("GiftCardEvent"),
        "date": now(),
        "type": event_type,
        "user": actor if actor and actor["__typename"] == "User" else None,
        "app": actor if actor and actor["__typename"] == "App" else None,
        **fields,
    }
    card["events"].append(event)
    return event


def create_gift_card(
    state: State,
    actor: Obj | None,
    *,
    balance_amount: Decimal,
    currency: str,
    is_active: bool = True,
    user_email: str | None = None,
    channel_slug: str | None = None,
    expiry_date: date | None = None,
    tags: list[str] | None = None,
    note: str | None = None,
    metadata: dict[str, str] | None = None,
    private_metadata: dict[str, str] | None = None,
    assigned_to: Obj | None = None,
) -> Obj:
    problems = []
    if balance_amount <= 0:
        problems.append(error("balance", "INVALID", "Value must be greater than 0."))
    if not re.fullmatch(r"[A-Z]{3}", currency or ""):
        problems.append(error("balance", "INVALID", f"Currency {currency!r} is not valid."))
    if expiry_date is not None and expiry_date <= now().date():
        problems.append(error("expiryDate", "INVALID", "Expiry date must be in the future."))
    if user_email is not None and not EMAIL_RE.match(user_email):
        problems.append(error("userEmail", "INVALID", "Enter a valid email address."))
    channel = None
    if user_email and not channel_slug:
        problems.append(
            error("channel", "REQUIRED", "Channel slug must be specified when user_email is provided.")
        )
    if channel_slug:
        channel = next((c for c in state.channels if c["slug"] == channel_slug), None)
        if channel is None:
            problems.append(
                error("channel", "NOT_FOUND", f"Channel with slug {channel_slug} does not exist.")
            )
    for key in [*(metadata or {}), *(private_metadata or {})]:
        if not key.strip():
            problems.append(error("metadata", "REQUIRED", "Metadata key cannot be empty."))
    if problems:
        raise MutationErrors(problems)
    code = secrets.token_hex(8).upper()
    is_user = bool(actor and actor["__typename"] == "User")
    card: Obj = {
        "__typename": "GiftCard",
        "id": state.new_gid("GiftCard"),
        "code": code,
        "last4CodeChars": code[-4:],
        "displayCode": code[-4:],
        "created": now(),
        "createdBy": actor if is_user else None,
        "createdByEmail": actor["email"] if is_user and actor else None,
        "usedBy": None,
        "usedByEmail": None,
        "assignedTo": assigned_to,
        "assignedToEmail": assigned_to["email"] if assigned_to else None,
        "lastUsedOn": None,
        "expiryDate": expiry_date,
        "app": actor if actor and actor["__typename"] == "App" else None,
        "product": None,
        "tags": [_tag(state, name) for name in dict.fromkeys(tags or [])],
        "boughtInChannel": None,
        "isActive": is_active,
        "initialBalance": money(balance_amount, currency),
        "currentBalance": money(balance_amount, currency),
        "metadata": metadata_items(metadata),
        "privateMetadata": metadata_items(private_metadata),
        "events": [],
    }
    state.add(card, state.gift_cards)
    gift_card_event(state, card, "ISSUED", actor, expiryDate=expiry_date)
    if note:
        gift_card_event(state, card, "NOTE_ADDED", actor, message=note)
    state.emit("GIFT_CARD_CREATED", actor, giftCard=card)
    if user_email and channel is not None:
        gift_card_event(state, card, "SENT_TO_CUSTOMER", actor, email=user_email)
        state.emit("GIFT_CARD_SENT", actor, giftCard=card, channel=channel["slug"], sentToEmail=user_email)
    return card


def _all_codes(state: State) -> set[str]:
    return {c["code"].upper() for v in state.vouchers for c in v["_codes"]}


def create_voucher(state: State, actor: Obj | None, data: dict[str, Any]) -> Obj:
    """voucherCreate with VoucherInput `data` (already parsed by graphql-core)."""
    codes: list[str] = list(data.get("addCodes") or [])
    if data.get("code"):
        codes.insert(0, data["code"])
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise MutationErrors(
            [
                error(
                    "addCodes",
                    "DUPLICATED_INPUT_ITEM",
                    "Codes are duplicated in the input.",
                    voucherCodes=duplicated,
                )
            ]
        )
    taken = sorted(c for c in codes if c.upper() in _all_codes(state))
    if taken:
        raise MutationErrors(
            [
                error(
                    "addCodes" if data.get("addCodes") else "code",
                    "ALREADY_EXISTS",
                    "Voucher code already exists.",
                    voucherCodes=taken,
                )
            ]
        )
    if not codes:
        codes = [secrets.token_hex(6).upper()]
    start: datetime = data.get("startDate") or now()
    end = data.get("endDate")
    if end is not None and end < start:
        raise MutationErrors([error("endDate", "INVALID", "End date can't be before start date.")])
    created = now()
    voucher: Obj = {
        "__typename": "Voucher",
        "id": state.new_gid("Voucher"),
        "name": data.get("name"),
        "type": data.get("type") or "ENTIRE_ORDER",
        "discountValueType": data.get("discountValueType") or "FIXED",
        "usageLimit": data.get("usageLimit"),
        "used": 0,
        "startDate": start,
        "endDate": end,
        "applyOncePerOrder": bool(data.get("applyOncePerOrder")),
        "applyOncePerCustomer": bool(data.get("applyOncePerCustomer")),
        "singleUse": bool(data.get("singleUse")),
        "onlyForStaff": bool(data.get("onlyForStaff")),
        "minCheckoutItemsQuantity": data.get("minCheckoutItemsQuantity"),
        "countries": [
            {"__typename": "CountryDisplay", "code": c, "country": c, "vat": None}
            for c in data.get("countries") or []
        ],
        "channelListings": [],
        "metadata": [],
        "privateMetadata": [],
        "_codes": [
            {
                "__typename": "VoucherCode",
                "id": state.new_gid("VoucherCode"),
                "code": code,
                "used": 0,
                "isActive": True,
                "createdAt": created,
            }
            for code in codes
        ],
        "_products": list(data.get("products") or []),
        "_variants": list(data.get("variants") or []),
        "_categories": list(data.get("categories") or []),
        "_collections": list(data.get("collections") or []),
    }
    state.add(voucher, state.vouchers)
    state.emit("VOUCHER_CREATED", actor, voucher=voucher)
    state.emit("VOUCHER_CODES_CREATED", actor, voucherCodes=list(voucher["_codes"]))
    return voucher


def update_voucher_channels(
    state: State, actor: Obj | None, voucher: Obj, add: list[dict[str, Any]], remove: list[str]
) -> Obj:
    problems = []
    resolved = []
    for item in add:
        channel = state.get(item["channelId"], "Channel")
        if channel is None:
            problems.append(
                error("channelId", "NOT_FOUND", "Channel does not exist.", channels=[item["channelId"]])
            )
            continue
        existing = next((cl for cl in voucher["channelListings"] if cl["channel"] is channel), None)
        value = item.get("discountValue")
        if value is None and existing is None:
            problems.append(
                error(
                    "discountValue",
                    "REQUIRED",
                    "Discount value is required when adding a channel.",
                    channels=[item["channelId"]],
                )
            )
        elif value is not None and voucher["discountValueType"] == "PERCENTAGE" and value > 100:
            problems.append(
                error(
                    "discountValue",
                    "INVALID",
                    "Invalid discount value (percentage above 100).",
                    channels=[item["channelId"]],
                )
            )
        resolved.append((channel, existing, item))
    for channel_id in remove:
        if state.get(channel_id, "Channel") is None:
            problems.append(
                error("removeChannels", "NOT_FOUND", "Channel does not exist.", channels=[channel_id])
            )
    if problems:
        raise MutationErrors(problems)
    for channel, existing, item in resolved:
        currency = channel["currencyCode"]
        listing = existing or {
            "__typename": "VoucherChannelListing",
            "id": state.new_gid("VoucherChannelListing"),
            "channel": channel,
            "currency": currency,
            "minSpent": None,
        }
        if item.get("discountValue") is not None:
            listing["discountValue"] = q(item["discountValue"])
        if item.get("minAmountSpent") is not None:
            listing["minSpent"] = money(item["minAmountSpent"], currency)
        if existing is None:
            voucher["channelListings"].append(listing)
    voucher["channelListings"] = [
        cl for cl in voucher["channelListings"] if cl["channel"]["id"] not in set(remove)
    ]
    state.emit("VOUCHER_UPDATED", actor, voucher=voucher)
    return voucher
