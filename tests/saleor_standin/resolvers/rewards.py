"""Gift cards and vouchers."""

from __future__ import annotations

from typing import Any

from ..domain import rewards as domain
from ..schema_exec import ExecContext, mutation
from .common import actor, metadata_dict, node


@mutation("giftCardCreate", permissions=["MANAGE_GIFT_CARD"])
def gift_card_create(ctx: ExecContext, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    assigned_to = (
        node(ctx, input["assignedTo"], "User", field_name="assignedTo") if input.get("assignedTo") else None
    )
    card = domain.create_gift_card(
        ctx.state,
        actor(ctx),
        balance_amount=input["balance"]["amount"],
        currency=input["balance"]["currency"],
        is_active=input["isActive"],
        user_email=input.get("userEmail"),
        channel_slug=input.get("channel"),
        expiry_date=input.get("expiryDate"),
        tags=input.get("addTags"),
        note=input.get("note"),
        metadata=metadata_dict(input.get("metadata")),
        private_metadata=metadata_dict(input.get("privateMetadata")),
        assigned_to=assigned_to,
    )
    return {"giftCard": card}


@mutation("voucherCreate", permissions=["MANAGE_DISCOUNTS"])
def voucher_create(ctx: ExecContext, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    return {"voucher": domain.create_voucher(ctx.state, actor(ctx), input)}


@mutation("voucherChannelListingUpdate", permissions=["MANAGE_DISCOUNTS"])
def voucher_channel_listing_update(ctx: ExecContext, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    voucher = node(ctx, id, "Voucher", field_name="id")
    return {
        "voucher": domain.update_voucher_channels(
            ctx.state, actor(ctx), voucher, input.get("addChannels") or [], input.get("removeChannels") or []
        )
    }
