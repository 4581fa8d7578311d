"""Computed fields: values derived from other objects (order totals, statuses, permissions, connections...)."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from ..domain.metadata import WRITE_PERMISSIONS
from ..ids import from_global_id
from ..schema_exec import ExecContext, PermissionDenied, field
from ..state import (
    ZERO,
    Obj,
    authorize_status,
    charge_status,
    currency_of,
    line_total,
    money,
    order_discount,
    order_subtotal,
    order_total,
    payment_status,
    permission_obj,
    q,
    total_authorized,
    total_canceled,
    total_charged,
    total_granted,
    total_refund_pending,
    total_refunded,
)


def _ctx(info: GraphQLResolveInfo) -> ExecContext:
    return info.context


# --- pagination --------------------------------------------------------------------------------------------


def connection(
    items: list[Any],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    name: str = "items",
    node_type: str | None = None,
) -> Obj:
    """A Relay connection over a list, with Saleor's rules: `first` or `last` required, at most 100."""
    if first is None and last is None:
        raise GraphQLError(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` connection."
        )
    for value, arg in ((first, "first"), (last, "last")):
        if value is not None and value > 100:
            raise GraphQLError(
                f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit of 100 records."
            )
    indexed = list(enumerate(items))
    if after is not None:
        start = int(base64.b64decode(after).decode().split(":")[-1]) + 1
        indexed = [p for p in indexed if p[0] >= start]
    if before is not None:
        end = int(base64.b64decode(before).decode().split(":")[-1])
        indexed = [p for p in indexed if p[0] < end]
    window = indexed
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    edge_type = f"{node_type}CountableEdge" if node_type else None

    def cursor(i: int) -> str:
        return base64.b64encode(f"arrayconnection:{i}".encode()).decode()

    edges = [{"__typename": edge_type, "cursor": cursor(i), "node": item} for i, item in window]
    return {
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": bool(window) and window[-1][0] < len(items) - 1 if first is not None else False,
            "hasPreviousPage": bool(window) and window[0][0] > 0
            if last is not None or after is not None
            else False,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "edges": edges,
        "totalCount": len(items),
    }


# --- money -------------------------------------------------------------------------------------------------


@field("Money", "fractionDigits")
def _fraction_digits(obj: Obj, _info: GraphQLResolveInfo) -> int:
    return 2


@field("Money", "fractionalAmount")
def _fractional_amount(obj: Obj, _info: GraphQLResolveInfo) -> int:
    return int(Decimal(str(obj["amount"])) * 100)


# --- metadata (every ObjectWithMetadata) -------------------------------------------------------------------


def _check_private_read(info: GraphQLResolveInfo, obj: Obj) -> None:
    viewer = _ctx(info).viewer
    type_name = obj["__typename"]
    if type_name == "App":
        if viewer.app is obj or viewer.has_any("MANAGE_APPS"):
            return
        raise PermissionDenied(["MANAGE_APPS"])
    needed: tuple[str, ...] = (
        ("MANAGE_STAFF",)
        if type_name == "User" and obj["isStaff"]
        else ("MANAGE_USERS",)
        if type_name == "User"
        else WRITE_PERMISSIONS.get(type_name, ("MANAGE_ORDERS",))
    )
    if not viewer.has_any(*needed):
        raise PermissionDenied(needed)


def _items(obj: Obj, key: str) -> list[Obj]:
    return obj.get(key) or []


@field("ObjectWithMetadata", "metafield")
def _metafield(obj: Obj, _info: GraphQLResolveInfo, key: str) -> str | None:
    return next((i["value"] for i in _items(obj, "metadata") if i["key"] == key), None)


@field("ObjectWithMetadata", "metafields")
def _metafields(obj: Obj, _info: GraphQLResolveInfo, keys: list[str] | None = None) -> dict[str, str]:
    return {i["key"]: i["value"] for i in _items(obj, "metadata") if keys is None or i["key"] in keys}


@field("ObjectWithMetadata", "privateMetadata")
def _private_metadata(obj: Obj, info: GraphQLResolveInfo) -> list[Obj]:
    _check_private_read(info, obj)
    return _items(obj, "privateMetadata")


@field("ObjectWithMetadata", "privateMetafield")
def _private_metafield(obj: Obj, info: GraphQLResolveInfo, key: str) -> str | None:
    _check_private_read(info, obj)
    return next((i["value"] for i in _items(obj, "privateMetadata") if i["key"] == key), None)


@field("ObjectWithMetadata", "privateMetafields")
def _private_metafields(obj: Obj, info: GraphQLResolveInfo, keys: list[str] | None = None) -> dict[str, str]:
    _check_private_read(info, obj)
    return {i["key"]: i["value"] for i in _items(obj, "privateMetadata") if keys is None or i["key"] in keys}


# --- orders ------------------------------------------------------------------------------------------------


def _money_of(order: Obj, amount: Decimal) -> Obj:
    return money(amount, currency_of(order))


ORDER_MONEY = {
    "totalCharged": total_charged,
    "totalCaptured": total_charged,
    "totalRefunded": total_refunded,
    "totalAuthorized": total_authorized,
    "totalCanceled": total_canceled,
    "totalRefundPending": total_refund_pending,
    "totalGrantedRefund": total_granted,
    "totalAuthorizePending": lambda o: q(
        sum((t["authorizePendingAmount"]["amount"] for t in o["transactions"]), ZERO)
    ),
    "totalChargePending": lambda o: q(
        sum((t["chargePendingAmount"]["amount"] for t in o["transactions"]), ZERO)
    ),
    "totalCancelPending": lambda o: q(
        sum((t["cancelPendingAmount"]["amount"] for t in o["transactions"]), ZERO)
    ),
    "totalBalance": lambda o: total_charged(o) - order_total(o)["gross"]["amount"],
    "totalRemainingGrant": lambda o: max(total_charged(o) - total_granted(o), ZERO),
}


@field("Order", *ORDER_MONEY)
def _order_money(order: Obj, info: GraphQLResolveInfo) -> Obj:
    return _money_of(order, ORDER_MONEY[info.field_name](order))


@field("Order", "total")
def _order_total(order: Obj, _info: GraphQLResolveInfo) -> Obj:
    return order_total(order)


@field("Order", "subtotal")
def _order_subtotal(order: Obj, _info: GraphQLResolveInfo) -> Obj:
    return order_subtotal(order)


@field("Order", "undiscountedTotal")
def _order_undiscounted_total(order: Obj, _info: GraphQLResolveInfo) -> Obj:
    subtotal, shipping = order_subtotal(order), order["shippingPrice"]
    currency = currency_of(order)
    gross = subtotal["gross"]["amount"] + shipping["gross"]["amount"]
    net = subtotal["net"]["amount"] + shipping["net"]["amount"]
    return {
        "__typename": "TaxedMoney",
        "currency": currency,
        "gross": money(gross, currency),
        "net": money(net, currency),
        "tax": money(gross - net, currency),
    }


@field("Order", "discount")
def _order_discount(order: Obj, _info: GraphQLResolveInfo) -> Obj | None:
    amount = order_discount(order)
    return _money_of(order, amount) if amount else None


@field("Order", "chargeStatus")
def _charge_status(order: Obj, _info: GraphQLResolveInfo) -> str:
    return charge_status(order)


@field("Order", "authorizeStatus")
def _authorize_status(order: Obj, _info: GraphQLResolveInfo) -> str:
    return authorize_status(order)


@field("Order", "isPaid")
def _is_paid(order: Obj, _info: GraphQLResolveInfo) -> bool:
    return charge_status(order) in ("FULL", "OVERCHARGED")


@field("Order", "paymentStatus")
def _payment_status(order: Obj, _info: GraphQLResolveInfo) -> str:
    return payment_status(order)


@field("Order", "paymentStatusDisplay", "statusDisplay")
def _status_display(order: Obj, info: GraphQLResolveInfo) -> str:
    value = payment_status(order) if info.field_name == "paymentStatusDisplay" else order["status"]
    return value.replace("_", " ").capitalize()


@field("Order", "languageCode")
def _language_code(order: Obj, _info: GraphQLResolveInfo) -> str:
    # Saleor serves the order's language lower case ("en"); languageCodeEnum is the enum ("EN").
    return order["languageCodeEnum"].lower().replace("_", "-")


@field("Order", "isShippingRequired")
def _order_shipping_required(order: Obj, _info: GraphQLResolveInfo) -> bool:
    return any(line["isShippingRequired"] for line in order["lines"])


@field("Order", "canFinalize")
def _can_finalize(order: Obj, _info: GraphQLResolveInfo) -> bool:
    return order["status"] == "DRAFT" and bool(order["lines"])


@field("Order", "token")
def _order_token(order: Obj, _info: GraphQLResolveInfo) -> str:
    return from_global_id(order["id"])[1]


@field("Order", "weight")
def _order_weight(_order: Obj, _info: GraphQLResolveInfo) -> Obj:
    return {"__typename": "Weight", "unit": "KG", "value": 0.0}


# --- order lines -------------------------------------------------------------------------------------------


@field("OrderLine", "totalPrice", "undiscountedTotalPrice")
def _line_total(line: Obj, _info: GraphQLResolveInfo) -> Obj:
    return line_total(line)


@field("OrderLine", "quantityToFulfill")
def _quantity_to_fulfill(line: Obj, _info: GraphQLResolveInfo) -> int:
    return line["quantity"] - line["quantityFulfilled"]


# --- users and apps ----------------------------------------------------------------------------------------


@field("User", "userPermissions")
def _user_permissions(user: Obj, _info: GraphQLResolveInfo) -> list[Obj]:
    return [{**permission_obj(code), "__typename": "UserPermission"} for code in sorted(user["_permissions"])]


@field("UserPermission", "sourcePermissionGroups")
def _source_groups(_perm: Obj, _info: GraphQLResolveInfo, userId: str) -> list[Obj]:  # noqa: N803 (GraphQL name)
    return []


@field("User", "orders")
def _user_orders(
    user: Obj,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    where: dict | None = None,
) -> Obj:
    state = _ctx(info).state
    orders = [o for o in reversed(state.orders) if o["user"] is user and o["status"] != "DRAFT"]
    return connection(
        orders, first=first, after=after, last=last, before=before, name="orders", node_type="Order"
    )


@field("User", "giftCards")
def _user_gift_cards(
    user: Obj,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Obj:
    cards = [
        c for c in _ctx(info).state.gift_cards if user in (c["createdBy"], c["assignedTo"], c.get("usedBy"))
    ]
    return connection(
        cards, first=first, after=after, last=last, before=before, name="giftCards", node_type="GiftCard"
    )


@field("User", "avatar")
def _avatar(_user: Obj, _info: GraphQLResolveInfo, **_args: Any) -> None:
    return None


@field("App", "permissions")
def _app_permissions(app: Obj, _info: GraphQLResolveInfo) -> list[Obj]:
    return [permission_obj(code) for code in sorted(app["_permissions"])]


@field("Shop", "permissions")
def _shop_permissions(_shop: Obj, _info: GraphQLResolveInfo) -> list[Obj]:
    from ..schema_exec import enum_values

    return [permission_obj(code) for code in enum_values("PermissionEnum")]


@field("Channel", "hasOrders")
def _has_orders(channel: Obj, info: GraphQLResolveInfo) -> bool:
    return any(o["channel"] is channel for o in _ctx(info).state.orders)


# --- catalogue ---------------------------------------------------------------------------------------------


@field("Product", "productVariants")
def _product_variants(
    product: Obj,
    _info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> Obj:
    return connection(
        product["variants"],
        first=first,
        after=after,
        last=last,
        before=before,
        name="productVariants",
        node_type="ProductVariant",
    )


@field(
    "Product",
    "thumbnail",
    "pricing",
    "isAvailable",
    "media",
    "mediaById",
    "imageById",
    "translation",
    "attribute",
    "assignedAttribute",
)
@field(
    "ProductVariant", "pricing", "media", "translation", "stocks", "quantityAvailable", "assignedAttribute"
)
@field("OrderLine", "thumbnail")
def _not_modelled(_obj: Obj, info: GraphQLResolveInfo, **_args: Any) -> Any:
    # Images, pricing per address, stock and translations are not modelled: empty answers of the right shape.
    from graphql import GraphQLList, GraphQLNonNull

    return_type = info.return_type
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    return [] if isinstance(inner, GraphQLList) else None


@field("ProductVariant", "attributes")
def _variant_attributes(
    variant: Obj, _info: GraphQLResolveInfo, variantSelection: str | None = None
) -> list[Obj]:  # noqa: N803
    return variant["attributes"]


# --- gift cards and vouchers -------------------------------------------------------------------------------


@field("GiftCard", "events")
def _gift_card_events(card: Obj, _info: GraphQLResolveInfo, filter: dict | None = None) -> list[Obj]:  # noqa: A002
    types = (filter or {}).get("type")
    return [e for e in card["events"] if not types or e["type"] == types]


@field("Voucher", "code")
def _voucher_code(voucher: Obj, _info: GraphQLResolveInfo) -> str | None:
    return voucher["_codes"][0]["code"] if voucher["_codes"] else None


@field("Voucher", "codes")
def _voucher_codes(
    voucher: Obj,
    _info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Obj:
    return connection(
        voucher["_codes"],
        first=first,
        after=after,
        last=last,
        before=before,
        name="codes",
        node_type="VoucherCode",
    )


def in_channel(voucher: Obj, channel: str | None) -> Obj:
    """Saleor's channel context: `voucher(channel: "x")` answers discountValue/currency/minSpent of that channel."""
    return {**voucher, "_channel_slug": channel} if channel else voucher


def _listing(voucher: Obj, _info: GraphQLResolveInfo) -> Obj | None:
    listings = voucher["channelListings"]
    channel_slug = voucher.get("_channel_slug")
    if channel_slug:
        return next((cl for cl in listings if cl["channel"]["slug"] == channel_slug), None)
    return listings[0] if len(listings) == 1 else None


@field("VoucherCreated", "voucher")
@field("VoucherUpdated", "voucher")
@field("VoucherDeleted", "voucher")
@field("VoucherMetadataUpdated", "voucher")
def _event_voucher(event: Obj, _info: GraphQLResolveInfo, channel: str | None = None) -> Obj | None:
    voucher = event.get("voucher")
    return in_channel(voucher, channel) if voucher else None


@field("Voucher", "discountValue")
def _voucher_discount_value(voucher: Obj, info: GraphQLResolveInfo) -> Decimal | None:
    listing = _listing(voucher, info)
    return listing["discountValue"] if listing else None


@field("Voucher", "currency")
def _voucher_currency(voucher: Obj, info: GraphQLResolveInfo) -> str | None:
    listing = _listing(voucher, info)
    return listing["currency"] if listing else None


@field("Voucher", "minSpent")
def _voucher_min_spent(voucher: Obj, info: GraphQLResolveInfo) -> Obj | None:
    listing = _listing(voucher, info)
    return listing["minSpent"] if listing else None


@field("Voucher", "products", "variants", "categories", "collections")
def _voucher_targets(
    voucher: Obj,
    info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Obj:
    state = _ctx(info).state
    ids = voucher[f"_{info.field_name}"]
    items = [state.objects[i] for i in ids if i in state.objects]
    node_type = {
        "products": "Product",
        "variants": "ProductVariant",
        "categories": "Category",
        "collections": "Collection",
    }[info.field_name]
    return connection(
        items, first=first, after=after, last=last, before=before, name=info.field_name, node_type=node_type
    )
