"""Batch loaders for Saleor entities referenced by the gateway, scoped to the requestor's installation."""

from __future__ import annotations

from django.db.models import Q

from ...core.time import now
from ...installations.permissions import SaleorPermission
from ...loyalty.selectors import points_earned_for_orders
from ...orders.models import Order
from ...orders.selectors import customer_owns_order
from ...returns.models import ReturnRequest
from ...returns.selectors import orders_eligibility
from ..core.dataloaders import DataLoader, by_key, grouped


def _visible(requestor, order: Order | None) -> bool:
    if order is None:
        return False
    if requestor.is_staff:
        return requestor.has_perm(SaleorPermission.MANAGE_ORDERS)
    if requestor.is_customer:
        actor = requestor.actor
        return customer_owns_order(order, user_id=actor.user_id, email=actor.email)
    return False


class VisibleOrderBySaleorIdLoader(DataLoader):
    """Our Order row for a Saleor order id, or None when the requestor may not see its after-sales data."""

    def batch_load(self, keys):
        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = Order.objects.filter(installation=requestor.installation, saleor_id__in=keys)
        return [order if _visible(requestor, order) else None for order in by_key(rows, keys, "saleor_id")]


class ReturnRequestsByOrderPkLoader(DataLoader):
    def batch_load(self, keys):
        rows = ReturnRequest.objects.filter(order_id__in=keys).select_related("order").order_by("-pk")
        return grouped(rows, keys, "order_id")


def _user_matches(requestor, user_id: str | None, email: str | None) -> bool:
    """A customer sees after-sales data of their own Saleor user only; staff with MANAGE_ORDERS of any user."""
    if requestor.is_staff:
        return requestor.has_perm(SaleorPermission.MANAGE_ORDERS)
    if not requestor.is_customer:
        return False
    actor = requestor.actor
    if user_id:
        return bool(actor.user_id) and user_id == actor.user_id
    if not email or not actor.email:
        return False
    return email.strip().lower() == actor.email.strip().lower()


class ReturnRequestsByUserLoader(DataLoader):
    """Keys are (saleor user id, email) pairs as the gateway sends them (either may be missing)."""

    def batch_load(self, keys):
        requestor = self.context.requestor
        installation = requestor.installation
        allowed = [key for key in keys if installation is not None and _user_matches(requestor, *key)]
        user_ids = {user_id for user_id, _email in allowed if user_id}
        emails = {email.strip().lower() for user_id, email in allowed if not user_id and email}
        rows: list[ReturnRequest] = []
        if user_ids or emails:
            condition = Q(customer_user_id__in=user_ids) | Q(customer_email__in=emails)
            rows = list(
                ReturnRequest.objects.filter(condition, installation=installation)
                .select_related("order")
                .order_by("-pk")
            )
        result = []
        for key in keys:
            user_id, email = key
            if key not in allowed:
                result.append([])
            elif user_id:
                result.append([row for row in rows if row.customer_user_id == user_id])
            else:
                result.append(
                    [row for row in rows if row.customer_email.lower() == (email or "").strip().lower()]
                )
        return result


class ReturnEligibilityByOrderPkLoader(DataLoader):
    """Eligibility of visible orders (keys are our order pks, already access-checked by the caller)."""

    def batch_load(self, keys):
        installation = self.context.requestor.installation
        if installation is None:
            return [None] * len(keys)
        results = orders_eligibility(installation, list(keys), now=now())
        return [results.get(key) for key in keys]


class LoyaltyPointsByOrderSaleorIdLoader(DataLoader):
    """Purchase points an order earned, net of reversals (keys: Saleor ids of orders the caller may see)."""

    def batch_load(self, keys):
        installation = self.context.requestor.installation
        if installation is None:
            return [None] * len(keys)
        earned = points_earned_for_orders(installation, list(keys))
        return [earned.get(key, 0) for key in keys]


def user_matches(requestor, user_id, email) -> bool:
    return requestor.installation is not None and _user_matches(requestor, user_id, email)


class WarrantiesByOrderPkLoader(DataLoader):
    """Warranties of visible orders (keys: our order pks, already access-checked by the caller)."""

    def batch_load(self, keys):
        from ...warranty.models import Warranty

        rows = Warranty.objects.filter(order_id__in=keys).select_related("order", "order_line").order_by("pk")
        return grouped(rows, keys, "order_id")


class WarrantyClaimsByOrderPkLoader(DataLoader):
    def batch_load(self, keys):
        from ...warranty.models import WarrantyClaim

        rows = (
            WarrantyClaim.objects.filter(warranty__order_id__in=keys)
            .select_related("warranty")
            .order_by("-pk")
        )
        return grouped([_with_order(row) for row in rows], keys, "_order_pk")


def _with_order(claim):
    claim._order_pk = claim.warranty.order_id
    return claim


class WarrantiesByUserLoader(DataLoader):
    """Keys are (saleor user id, email) pairs as the gateway sends them (either may be missing)."""

    def batch_load(self, keys):
        from ...warranty.models import Warranty

        requestor = self.context.requestor
        installation = requestor.installation
        allowed = [key for key in keys if installation is not None and _user_matches(requestor, *key)]
        user_ids = {user_id for user_id, _email in allowed if user_id}
        emails = {email.strip().lower() for user_id, email in allowed if not user_id and email}
        rows: list = []
        if user_ids or emails:
            condition = Q(customer_user_id__in=user_ids) | Q(customer_email__in=emails)
            rows = list(
                Warranty.objects.filter(condition, installation=installation)
                .select_related("order", "order_line")
                .order_by("-starts_at", "-pk")
            )
        result = []
        for key in keys:
            user_id, email = key
            if key not in allowed:
                result.append([])
            elif user_id:
                result.append([row for row in rows if row.customer_user_id == user_id])
            else:
                result.append(
                    [row for row in rows if row.customer_email.lower() == (email or "").strip().lower()]
                )
        return result
