"""updateMetadata / updatePrivateMetadata: who may write on which object, and which event it fires."""

from __future__ import annotations

from ..schema_exec import MutationErrors, PermissionDenied, Viewer, enum_values, error
from ..state import Obj, State

# Saleor's metadata permissions (protocol doc §6 (4)).
WRITE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "Order": ("MANAGE_ORDERS", "HANDLE_TAXES"),
    "OrderLine": ("MANAGE_ORDERS", "HANDLE_TAXES"),
    "Fulfillment": ("MANAGE_ORDERS",),
    "GiftCard": ("MANAGE_GIFT_CARD",),
    "Voucher": ("MANAGE_DISCOUNTS",),
    "Product": ("MANAGE_PRODUCTS",),
    "ProductVariant": ("MANAGE_PRODUCTS",),
    "ProductType": ("MANAGE_PRODUCT_TYPES_AND_ATTRIBUTES",),
    "Category": ("MANAGE_PRODUCTS",),
    "TransactionItem": ("HANDLE_PAYMENTS",),
    "Channel": ("MANAGE_CHANNELS",),
    "Warehouse": ("MANAGE_PRODUCTS",),
}

EVENTS: dict[str, str] = {
    "Order": "ORDER_METADATA_UPDATED",
    "User": "CUSTOMER_METADATA_UPDATED",
    "GiftCard": "GIFT_CARD_METADATA_UPDATED",
    "Fulfillment": "FULFILLMENT_METADATA_UPDATED",
    "Voucher": "VOUCHER_METADATA_UPDATED",
    "Product": "PRODUCT_METADATA_UPDATED",
    "ProductVariant": "PRODUCT_VARIANT_METADATA_UPDATED",
    "TransactionItem": "TRANSACTION_ITEM_METADATA_UPDATED",
    "Channel": "CHANNEL_METADATA_UPDATED",
    "Warehouse": "WAREHOUSE_METADATA_UPDATED",
}

PAYLOAD_KEY = {
    "Order": "order",
    "User": "user",
    "GiftCard": "giftCard",
    "Voucher": "voucher",
    "Product": "product",
    "ProductVariant": "productVariant",
    "TransactionItem": "transaction",
    "Channel": "channel",
    "Warehouse": "warehouse",
}


def check_permission(viewer: Viewer, obj: Obj) -> None:
    type_name = obj["__typename"]
    if type_name == "App":
        if viewer.app is None or viewer.app["id"] != obj["id"]:
            raise PermissionDenied(message="An app can only change its own metadata.")
        return
    if type_name == "User":
        if viewer.user is not None and viewer.user["id"] == obj["id"]:
            return
        needed: tuple[str, ...] = ("MANAGE_STAFF",) if obj["isStaff"] else ("MANAGE_USERS",)
    else:
        needed = WRITE_PERMISSIONS.get(type_name, ())
        if not needed:
            raise PermissionDenied(message=f"The stand-in does not support metadata on {type_name}.")
    if not viewer.has_any(*needed):
        raise PermissionDenied(needed)


def update_metadata(
    state: State, viewer: Viewer, obj: Obj, items: list[dict[str, str]], *, private: bool
) -> Obj:
    check_permission(viewer, obj)
    if any(not item["key"].strip() for item in items):
        raise MutationErrors([error("input", "REQUIRED", "Metadata key cannot be empty.")])
    key = "privateMetadata" if private else "metadata"
    current = {item["key"]: item["value"] for item in obj.get(key, [])}
    current.update({item["key"]: item["value"] for item in items})
    obj[key] = [{"__typename": "MetadataItem", "key": k, "value": v} for k, v in current.items()]
    event = EVENTS.get(obj["__typename"])
    if obj["__typename"] == "User" and obj["isStaff"]:
        event = None
    if event and event in enum_values("WebhookEventTypeAsyncEnum"):
        payload: dict[str, Obj] = {PAYLOAD_KEY.get(obj["__typename"], "object"): obj}
        if obj["__typename"] == "Fulfillment":
            payload = {"fulfillment": obj, "order": obj["_order"]}
        state.emit(event, viewer.principal, **payload)
    return obj
