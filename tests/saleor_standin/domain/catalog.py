"""Channels, warehouses, product types, categories, products and variants."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..state import Obj, State, metadata_items, money, now


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "item"


def create_channel(
    state: State,
    slug: str = "default-channel",
    currency: str = "USD",
    name: str | None = None,
    country: str = "US",
) -> Obj:
    channel: Obj = {
        "__typename": "Channel",
        "id": state.new_gid("Channel"),
        "slug": slug,
        "name": name or slug.replace("-", " ").title(),
        "isActive": True,
        "currencyCode": currency,
        "defaultCountry": {"__typename": "CountryDisplay", "code": country, "country": country, "vat": None},
        "warehouses": [],
        "metadata": [],
        "privateMetadata": [],
    }
    return state.add(channel, state.channels)


def default_channel(state: State) -> Obj:
    return state.channels[0] if state.channels else create_channel(state)


def warehouse(state: State, index: int) -> Obj:
    """The index-th warehouse (created on demand): orders fulfilled from n warehouses get n fulfillments."""
    while len(state.warehouses) <= index:
        n = len(state.warehouses) + 1
        wh: Obj = {
            "__typename": "Warehouse",
            "id": state.new_gid("Warehouse", use_uuid=True),
            "name": f"Warehouse {n}",
            "slug": f"warehouse-{n}",
            "email": "",
            "isPrivate": True,
            "metadata": [],
            "privateMetadata": [],
        }
        state.add(wh, state.warehouses)
        for channel in state.channels:
            channel["warehouses"].append(wh)
    return state.warehouses[index]


def create_product_type(
    state: State, name: str = "Default Type", *, is_shipping_required: bool = True, kind: str = "NORMAL"
) -> Obj:
    product_type: Obj = {
        "__typename": "ProductType",
        "id": state.new_gid("ProductType"),
        "name": name,
        "slug": slugify(name),
        "kind": kind,
        "isShippingRequired": is_shipping_required,
        "isDigital": not is_shipping_required,
        "hasVariants": True,
        "metadata": [],
        "privateMetadata": [],
    }
    return state.add(product_type, state.product_types)


def create_category(
    state: State, name: str = "Default Category", *, slug: str | None = None, parent: Obj | None = None
) -> Obj:
    category: Obj = {
        "__typename": "Category",
        "id": state.new_gid("Category"),
        "name": name,
        "slug": slug or slugify(name),
        "parent": parent,
        "level": 0 if parent is None else parent["level"] + 1,
        "description": None,
        "metadata": [],
        "privateMetadata": [],
        "updatedAt": now(),
    }
    return state.add(category, state.categories)


def _attributes(state: State, attributes: dict[str, Any] | None) -> list[Obj]:
    """{"warranty-months": ["24"], "brand": "Acme"} -> SelectedAttribute dicts."""
    selected = []
    for slug, values in (attributes or {}).items():
        values_list = values if isinstance(values, list | tuple) else [values]
        attribute = {
            "__typename": "Attribute",
            "id": state.new_gid("Attribute"),
            "slug": slug,
            "name": slug.replace("-", " ").title(),
            "inputType": "DROPDOWN",
            "type": "PRODUCT_TYPE",
        }
        selected.append(
            {
                "__typename": "SelectedAttribute",
                "attribute": attribute,
                "values": [
                    {
                        "__typename": "AttributeValue",
                        "id": state.new_gid("AttributeValue"),
                        "slug": slugify(str(v)),
                        "name": str(v),
                    }
                    for v in values_list
                ],
            }
        )
    return selected


def create_product(
    state: State,
    name: str,
    *,
    product_type: Obj | None = None,
    category: Obj | None = None,
    variants: list[dict[str, Any]] | None = None,
    metadata: dict[str, str] | None = None,
    attributes: dict[str, Any] | None = None,
) -> Obj:
    """variants: [{"sku": "SKU-1", "price": Decimal("50"), "name": "M", "metadata": {...}}] (one default variant if None)."""
    product_type = product_type or (
        state.product_types[0] if state.product_types else create_product_type(state)
    )
    created = now()
    product: Obj = {
        "__typename": "Product",
        "id": state.new_gid("Product"),
        "name": name,
        "slug": slugify(name),
        "description": None,
        "productType": product_type,
        "category": category,
        "created": created,
        "updatedAt": created,
        "rating": None,
        "thumbnail": None,
        "isAvailableForPurchase": True,
        "externalReference": None,
        "metadata": metadata_items(metadata),
        "privateMetadata": [],
        "attributes": _attributes(state, attributes),
        "variants": [],
        "collections": [],
    }
    state.add(product, state.products)
    for index, spec in enumerate(variants or [{"sku": f"{product['slug']}-1", "price": Decimal("10")}]):
        product["variants"].append(create_variant(state, product, index=index, **spec))
    product["defaultVariant"] = product["variants"][0]
    return product


def create_variant(
    state: State,
    product: Obj,
    *,
    sku: str | None = None,
    price: Decimal | int | str = Decimal("10"),
    name: str | None = None,
    index: int = 0,
    metadata: dict[str, str] | None = None,
    attributes: dict[str, Any] | None = None,
) -> Obj:
    created = now()
    variant: Obj = {
        "__typename": "ProductVariant",
        "id": state.new_gid("ProductVariant"),
        "name": name if name is not None else ("" if index == 0 else f"Variant {index + 1}"),
        "sku": sku,
        "product": product,
        "trackInventory": True,
        "quantityLimitPerCustomer": None,
        "created": created,
        "updatedAt": created,
        "externalReference": None,
        "metadata": metadata_items(metadata),
        "privateMetadata": [],
        "attributes": _attributes(state, attributes),
        "_price": Decimal(str(price)),
    }
    return state.add(variant, state.variants)


def variant_price(variant: Obj, channel: Obj) -> Obj:
    return money(variant["_price"], channel["currencyCode"])
