"""Saleor's Order and User, extended with after-sales fields for the federation gateway.

The gateway sends only the key (`id`, or `id`/`email` for User); every field below loads our
rows for that key through installation-scoped DataLoaders and answers null/empty when the
requestor (the customer's Saleor JWT forwarded by the gateway) may not see them.
"""

from __future__ import annotations

import graphene
from graphene_federation import key

from ...loyalty import selectors as loyalty_selectors
from ..core.context import get_loader, get_requestor
from ..loyalty.types import LoyaltyAccount
from ..returns.types import ReturnEligibility, ReturnRequest
from ..warranty.types import Warranty, WarrantyClaim
from .dataloaders import (
    LoyaltyPointsByOrderSaleorIdLoader,
    ReturnEligibilityByOrderPkLoader,
    ReturnRequestsByOrderPkLoader,
    ReturnRequestsByUserLoader,
    VisibleOrderBySaleorIdLoader,
    WarrantiesByOrderPkLoader,
    WarrantiesByUserLoader,
    WarrantyClaimsByOrderPkLoader,
    user_matches,
)


@key("id")
class Order(graphene.ObjectType):
    id = graphene.ID(required=True)
    return_requests = graphene.List(
        graphene.NonNull(ReturnRequest),
        required=True,
        description="The order's return requests (empty when the requestor may not see them).",
    )

    @staticmethod
    def resolve_return_requests(root, info):
        def for_order(order):
            if order is None:
                return []
            return get_loader(info, ReturnRequestsByOrderPkLoader).load(order.pk)

        return get_loader(info, VisibleOrderBySaleorIdLoader).load(root.id).then(for_order)

    loyalty_points_earned = graphene.Int(
        description="Purchase points this order earned, net of reversals (null when the requestor may not see it)."
    )

    @staticmethod
    def resolve_loyalty_points_earned(root, info):
        def for_order(order):
            if order is None:
                return None
            return get_loader(info, LoyaltyPointsByOrderSaleorIdLoader).load(order.saleor_id)

        return get_loader(info, VisibleOrderBySaleorIdLoader).load(root.id).then(for_order)

    return_eligibility = graphene.Field(
        ReturnEligibility,
        description="What can be returned from this order, line by line (null when the requestor may not see it).",
    )

    @staticmethod
    def resolve_return_eligibility(root, info):
        def for_order(order):
            if order is None:
                return None
            loaded = get_loader(info, ReturnEligibilityByOrderPkLoader).load(order.pk)
            return loaded.then(
                lambda results: ReturnEligibility.of(order, results) if results is not None else None
            )

        return get_loader(info, VisibleOrderBySaleorIdLoader).load(root.id).then(for_order)

    warranties = graphene.List(
        graphene.NonNull(Warranty),
        required=True,
        description="One warranty per fulfilled unit of this order (empty when the requestor may not see them).",
    )

    @staticmethod
    def resolve_warranties(root, info):
        def for_order(order):
            return [] if order is None else get_loader(info, WarrantiesByOrderPkLoader).load(order.pk)

        return get_loader(info, VisibleOrderBySaleorIdLoader).load(root.id).then(for_order)

    claims = graphene.List(
        graphene.NonNull(WarrantyClaim),
        required=True,
        description="Warranty claims on this order's items (empty when the requestor may not see them).",
    )

    @staticmethod
    def resolve_claims(root, info):
        def for_order(order):
            return [] if order is None else get_loader(info, WarrantyClaimsByOrderPkLoader).load(order.pk)

        return get_loader(info, VisibleOrderBySaleorIdLoader).load(root.id).then(for_order)


@key("id")
@key("email")
class User(graphene.ObjectType):
    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    return_requests = graphene.List(
        graphene.NonNull(ReturnRequest),
        required=True,
        description="The customer's return requests (empty unless the requestor is this customer or staff).",
    )

    @staticmethod
    def resolve_return_requests(root, info):
        user_key = (getattr(root, "id", None) or None, getattr(root, "email", None) or None)
        return get_loader(info, ReturnRequestsByUserLoader).load(user_key)

    loyalty_account = graphene.Field(
        LoyaltyAccount,
        channel=graphene.String(description="Channel slug; default: the customer's first programme channel."),
        description="The customer's points and tier (null unless the requestor is this customer or staff).",
    )

    @staticmethod
    def resolve_loyalty_account(root, info, channel=None):
        requestor = get_requestor(info)
        user_id = getattr(root, "id", None) or ""
        email = getattr(root, "email", None) or ""
        if not user_matches(requestor, user_id or None, email or None):
            return None
        if requestor.is_customer:
            # The gateway may send either key (`id` or `email`); the customer's JWT carries both, and an account
            # is found by user id first (a guest account under the same email is attached to it on sign-up).
            if not email and requestor.actor.user_id == user_id:
                email = requestor.actor.email or ""
            if not user_id and (requestor.actor.email or "").lower() == email.lower():
                user_id = requestor.actor.user_id or ""
        installation = requestor.installation
        if channel:
            return loyalty_selectors.account_of(installation, channel, user_id=user_id, email=email)
        return loyalty_selectors.accounts_of(
            installation, user_id=user_id or None, email=email or None
        ).first()

    service_cases = graphene.List(
        graphene.NonNull("saleor_aftersales.graphql.service.types.ServiceCase"),
        required=True,
        description="The customer's service cases (empty unless the requestor is this customer or staff).",
    )

    @staticmethod
    def resolve_service_cases(root, info):
        from ..service.dataloaders import ServiceCasesByUserLoader

        user_key = (getattr(root, "id", None) or None, getattr(root, "email", None) or None)
        return get_loader(info, ServiceCasesByUserLoader).load(user_key)

    warranties = graphene.List(
        graphene.NonNull(Warranty),
        required=True,
        description="The customer's warranties (empty unless the requestor is this customer or staff).",
    )

    @staticmethod
    def resolve_warranties(root, info):
        user_key = (getattr(root, "id", None) or None, getattr(root, "email", None) or None)
        return get_loader(info, WarrantiesByUserLoader).load(user_key)


FEDERATED_TYPES = [Order, User]
