"""Saleor permission codes the app asks for, each with the reason (shown in the README)."""

from enum import StrEnum


class SaleorPermission(StrEnum):
    MANAGE_ORDERS = "MANAGE_ORDERS"
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_GIFT_CARD = "MANAGE_GIFT_CARD"
    MANAGE_DISCOUNTS = "MANAGE_DISCOUNTS"
    HANDLE_PAYMENTS = "HANDLE_PAYMENTS"
    MANAGE_PRODUCTS = "MANAGE_PRODUCTS"
    MANAGE_STAFF = "MANAGE_STAFF"


APP_PERMISSIONS: dict[SaleorPermission, str] = {
    SaleorPermission.MANAGE_ORDERS: (
        "Receive order webhooks; read orders; record returns (orderFulfillmentReturnProducts), grant refunds "
        "(orderGrantRefundCreate), create replacement and paid-repair draft orders, add order notes."
    ),
    SaleorPermission.MANAGE_USERS: "Receive CUSTOMER_CREATED (attach guest points) and read customers for cases.",
    SaleorPermission.MANAGE_GIFT_CARD: "Issue store credit and loyalty rewards as gift cards (giftCardCreate).",
    SaleorPermission.MANAGE_DISCOUNTS: "Issue loyalty rewards as single-use voucher codes (voucherCreate).",
    SaleorPermission.HANDLE_PAYMENTS: (
        "Move money for approved refunds (transactionRequestRefundForGrantedRefund) to the original payment."
    ),
    SaleorPermission.MANAGE_PRODUCTS: (
        "Read product types, categories and product attributes/metadata that drive return rules and warranty terms."
    ),
}
