"""Writes to the order mirror, from webhook payloads (the only writer)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from ..core.i18n import normalize_language
from ..installations.models import Installation
from .models import Customer, Fulfillment, FulfillmentLine, GrantedRefund, Order, OrderLine


def _dt(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _amount(money: Any, key: str = "gross") -> Decimal:
    """Read `{gross: {amount}}` / `{amount}` shapes; Saleor sends floats, we keep Decimal via str()."""
    if not isinstance(money, dict):
        return Decimal("0")
    if key in money and isinstance(money[key], dict):
        money = money[key]
    amount = money.get("amount")
    return Decimal(str(amount)) if amount is not None else Decimal("0")


def _metadata(items: Any) -> dict:
    return {m["key"]: m["value"] for m in items or [] if isinstance(m, dict) and "key" in m}


def _attributes(items: Any) -> dict:
    result: dict[str, list[str]] = {}
    for item in items or []:
        slug = ((item or {}).get("attribute") or {}).get("slug")
        if slug:
            result[slug] = [
                str(v.get("slug") or v.get("name") or "")
                for v in item.get("values") or []
                if isinstance(v, dict)
            ]
    return result


def _line_fields(data: dict) -> dict:
    variant = data.get("variant") or {}
    product = variant.get("product") or {}
    return {
        "product_name": data.get("productName") or product.get("name") or "",
        "variant_name": data.get("variantName") or variant.get("name") or "",
        "sku": data.get("productSku") or variant.get("sku") or "",
        "variant_id": variant.get("id") or data.get("productVariantId") or "",
        "product_id": product.get("id") or "",
        "product_type_id": (product.get("productType") or {}).get("id") or "",
        "product_type_name": (product.get("productType") or {}).get("name") or "",
        "category_id": (product.get("category") or {}).get("id") or "",
        "category_name": (product.get("category") or {}).get("name") or "",
        "product_metadata": _metadata(product.get("metadata")),
        "product_attributes": _attributes(product.get("attributes")),
        "thumbnail_url": (data.get("thumbnail") or {}).get("url") or "",
        "quantity": int(data.get("quantity") or 0),
        "quantity_fulfilled": int(data.get("quantityFulfilled") or 0),
        "is_gift": bool(data.get("isGift") or False),
        "unit_price_gross": _amount(data.get("unitPrice"), "gross"),
        "unit_price_net": _amount(data.get("unitPrice"), "net"),
        "total_price_gross": _amount(data.get("totalPrice"), "gross"),
        "total_price_net": _amount(data.get("totalPrice"), "net"),
    }


@transaction.atomic
def sync_order(
    *, installation: Installation, payload: dict, issued_at: datetime | None, event: str = ""
) -> Order:
    """Upsert an order and its lines, fulfillments and granted refunds from a webhook's `order` object.

    Bulk writes keep a 50-line order to a handful of queries. Fields absent from a payload are left as they are
    (payloads differ per subscription), and an older payload never overwrites a newer one.
    """
    saleor_id = payload["id"]
    order = Order.objects.select_for_update().filter(installation=installation, saleor_id=saleor_id).first()
    is_new = order is None
    if order is None:
        order = Order(installation=installation, saleor_id=saleor_id)
    stale = bool(
        issued_at and order.synced_from_issued_at and issued_at < order.synced_from_issued_at and not is_new
    )
    if not stale:
        _apply_order_fields(order, payload)
        if issued_at:
            order.synced_from_issued_at = issued_at
    if event == "ORDER_FULLY_PAID" and not order.paid_at:
        order.paid_at = issued_at
        order.is_paid = True
    if event == "ORDER_CANCELLED" and not order.cancelled_at:
        order.cancelled_at = issued_at
    order.save()
    if stale:
        return order
    if "lines" in payload:
        _sync_lines(order, payload["lines"] or [])
    if "fulfillments" in payload:
        _sync_fulfillments(order, payload["fulfillments"] or [])
    if "grantedRefunds" in payload:
        _sync_granted_refunds(order, payload["grantedRefunds"] or [])
    if order.status == "FULFILLED" and not order.fulfilled_at:
        order.fulfilled_at = issued_at
        order.save(update_fields=["fulfilled_at"])
    return order


def _apply_order_fields(order: Order, p: dict) -> None:
    simple = {
        "number": "number",
        "status": "status",
        "chargeStatus": "charge_status",
        "isPaid": "is_paid",
        "userEmail": "user_email",
    }
    for key, attr in simple.items():
        if key in p and p[key] is not None:
            setattr(order, attr, p[key])
    if "languageCode" in p and p["languageCode"]:
        order.language_code = normalize_language(p["languageCode"])
    if p.get("user"):
        order.user_id = p["user"].get("id") or order.user_id
        order.user_email = order.user_email or p["user"].get("email") or ""
    if p.get("channel"):
        order.channel_slug = p["channel"].get("slug") or order.channel_slug
        order.channel_id = p["channel"].get("id") or order.channel_id
        order.currency = p["channel"].get("currencyCode") or order.currency
    if "total" in p:
        order.total_gross = _amount(p["total"], "gross")
        order.total_net = _amount(p["total"], "net")
        order.currency = ((p["total"] or {}).get("gross") or {}).get("currency") or order.currency
    if "subtotal" in p:
        order.subtotal_gross = _amount(p["subtotal"], "gross")
        order.subtotal_net = _amount(p["subtotal"], "net")
    if "shippingPrice" in p:
        order.shipping_gross = _amount(p["shippingPrice"], "gross")
        order.shipping_net = _amount(p["shippingPrice"], "net")
    if "totalCharged" in p:
        order.total_charged = _amount(p["totalCharged"])
    if "totalRefunded" in p:
        order.total_refunded = _amount(p["totalRefunded"])
    if "created" in p:
        order.placed_at = _dt(p["created"])
    if "transactions" in p:
        order.transactions = [
            {
                "id": t.get("id"),
                "psp_reference": t.get("pspReference") or "",
                "charged": str(_amount(t.get("chargedAmount"))),
                "refunded": str(_amount(t.get("refundedAmount"))),
            }
            for t in p["transactions"] or []
        ]


def _sync_lines(order: Order, lines: list[dict]) -> None:
    existing = {line.saleor_id: line for line in order.lines.all()}
    to_create, to_update = [], []
    for data in lines:
        if not data.get("id"):
            continue
        fields = _line_fields(data)
        line = existing.get(data["id"])
        if line is None:
            to_create.append(OrderLine(order=order, saleor_id=data["id"], **fields))
        else:
            for key, value in fields.items():
                setattr(line, key, value)
            to_update.append(line)
    if to_create:
        OrderLine.objects.bulk_create(to_create)
    if to_update:
        OrderLine.objects.bulk_update(to_update, list(_line_fields({}).keys()))


def _sync_fulfillments(order: Order, fulfillments: list[dict]) -> None:
    lines_by_saleor_id = {line.saleor_id: line for line in order.lines.all()}
    existing = {f.saleor_id: f for f in order.fulfillments.all()}
    for data in fulfillments:
        if not data.get("id"):
            continue
        fulfillment = existing.get(data["id"])
        if fulfillment is None:
            fulfillment = Fulfillment(order=order, saleor_id=data["id"])
        fulfillment.status = data.get("status") or fulfillment.status
        fulfillment.tracking_number = data.get("trackingNumber") or fulfillment.tracking_number
        fulfillment.fulfilled_at = _dt(data.get("created")) or fulfillment.fulfilled_at
        fulfillment.save()
        if "lines" not in data:
            continue
        have = set(fulfillment.lines.values_list("saleor_id", flat=True))
        new_lines = []
        for line_data in data["lines"] or []:
            order_line = lines_by_saleor_id.get(((line_data or {}).get("orderLine") or {}).get("id", ""))
            if line_data.get("id") and line_data["id"] not in have and order_line is not None:
                new_lines.append(
                    FulfillmentLine(
                        fulfillment=fulfillment,
                        saleor_id=line_data["id"],
                        order_line=order_line,
                        quantity=int(line_data.get("quantity") or 0),
                    )
                )
        if new_lines:
            FulfillmentLine.objects.bulk_create(new_lines)


def _sync_granted_refunds(order: Order, grants: list[dict]) -> None:
    existing = {g.saleor_id: g for g in order.granted_refunds.all()}
    for data in grants:
        if not data.get("id"):
            continue
        grant = existing.get(data["id"]) or GrantedRefund(order=order, saleor_id=data["id"])
        grant.status = data.get("status") or grant.status
        grant.amount = _amount(data.get("amount"))
        grant.reason = data.get("reason") or ""
        grant.shipping_costs_included = bool(data.get("shippingCostsIncluded"))
        grant.granted_at = _dt(data.get("createdAt")) or grant.granted_at
        if "lines" in data:
            grant.lines = [
                {
                    "order_line_id": (ln.get("orderLine") or {}).get("id"),
                    "quantity": int(ln.get("quantity") or 0),
                }
                for ln in data.get("lines") or []
            ]
        grant.save()


def sync_customer(*, installation: Installation, payload: dict) -> Customer:
    customer, _ = Customer.objects.update_or_create(
        installation=installation,
        saleor_id=payload["id"],
        defaults={
            "email": (payload.get("email") or "").lower(),
            "first_name": payload.get("firstName") or "",
            "last_name": payload.get("lastName") or "",
            "language_code": normalize_language(payload.get("languageCode")),
            "metadata": _metadata(payload.get("metadata")),
            "date_joined": _dt(payload.get("dateJoined")),
        },
    )
    return customer
