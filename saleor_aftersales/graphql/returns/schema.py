"""GraphQL queries and mutations of the returns capability."""

from __future__ import annotations

from datetime import timedelta

import graphene
from django.db.models import Exists, OuterRef, Q

from ...core.errors import DomainError
from ...core.time import now
from ...installations.permissions import SaleorPermission
from ...returns import reasons as return_reasons
from ...returns import selectors
from ...returns.models import ReturnLine
from ...returns.models import ReturnPolicy as ReturnPolicyModel
from ...sla.models import SlaClock
from ..core.context import get_requestor
from ..core.types import page_size
from .access import order_for_requestor, request_for_requestor
from .mutations.common import enum_value
from .mutations.return_order_mark_delivered import ReturnOrderMarkDelivered
from .mutations.return_policy_rule_set import ReturnPolicyRuleDelete, ReturnPolicyRuleSet
from .mutations.return_policy_update import ReturnPolicyUpdate
from .mutations.return_reason_save import ReturnReasonSave
from .mutations.return_request_add_tracking import ReturnRequestAddTracking
from .mutations.return_request_approve import ReturnRequestApprove
from .mutations.return_request_bulk import ReturnRequestBulkApprove, ReturnRequestBulkReceive
from .mutations.return_request_cancel import ReturnRequestCancel
from .mutations.return_request_create import ReturnRequestCreate
from .mutations.return_request_inspect import ReturnRequestInspect
from .mutations.return_request_receive import ReturnRequestReceive
from .mutations.return_request_reject import ReturnRequestReject
from .mutations.return_request_request_pickup import ReturnRequestRequestPickup
from .mutations.return_request_resolve import ReturnRequestResolve
from .mutations.return_request_retry_settlement import ReturnRequestRetrySettlement
from .types import (
    ReturnEligibility,
    ReturnPolicy,
    ReturnReason,
    ReturnRequest,
    ReturnStatusEnum,
)

SLA_STATES = ("breached", "on_track", "met", "none")


class ReturnRequestFilterInput(graphene.InputObjectType):
    statuses = graphene.List(graphene.NonNull(ReturnStatusEnum))
    channel = graphene.String()
    reason = graphene.String(description="A reason code on any line.")
    created_after = graphene.DateTime()
    created_before = graphene.DateTime()
    older_than_hours = graphene.Int(description="Age: requested more than N hours ago.")
    sla_state = graphene.String(description="breached, on_track, met or none")
    customer = graphene.String(description="Customer email or Saleor user id.")


def _filter_queue(qs, filters: dict, search: str | None):
    if filters.get("statuses"):
        qs = qs.filter(status__in=[enum_value(s) for s in filters["statuses"]])
    if filters.get("channel"):
        qs = qs.filter(channel_slug=filters["channel"])
    if filters.get("reason"):
        qs = qs.filter(
            Exists(ReturnLine.objects.filter(request=OuterRef("pk"), reason_code=filters["reason"]))
        )
    if filters.get("created_after"):
        qs = qs.filter(created_at__gte=filters["created_after"])
    if filters.get("created_before"):
        qs = qs.filter(created_at__lte=filters["created_before"])
    if filters.get("older_than_hours") is not None:
        qs = qs.filter(created_at__lte=now() - timedelta(hours=filters["older_than_hours"]))
    if filters.get("customer"):
        value = filters["customer"].strip()
        qs = qs.filter(Q(customer_email__iexact=value) | Q(customer_user_id=value))
    state = filters.get("sla_state")
    if state:
        if state not in SLA_STATES:
            raise DomainError("INVALID", f"slaState: {', '.join(SLA_STATES)}.", "slaState")
        clocks = SlaClock.objects.filter(subject_type="return_request", subject_id=OuterRef("pk_text"))
        current = now()
        conditions = {
            "breached": Q(status="breached") | Q(status="running", due_at__lt=current),
            "on_track": Q(status="running", due_at__gte=current),
            "met": Q(status="met"),
        }
        from django.db.models import CharField
        from django.db.models.functions import Cast

        qs = qs.annotate(pk_text=Cast("pk", CharField()))
        if state == "none":
            qs = qs.exclude(Exists(clocks.filter(status__in=["running", "breached", "met"])))
        else:
            qs = qs.filter(Exists(clocks.filter(conditions[state])))
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(number__iexact=term)
            | Q(customer_email__icontains=term)
            | Q(order__number=term)
            | Q(tracking_number__iexact=term)
        )
    return qs


class ReturnQueries(graphene.ObjectType):
    return_reasons = graphene.List(
        graphene.NonNull(ReturnReason),
        required=True,
        description="The reason catalogue (customers: active selectable reasons; staff: all).",
    )
    return_eligibility = graphene.Field(
        ReturnEligibility,
        required=True,
        order_id=graphene.ID(description="Signed-in customers and staff."),
        order_number=graphene.String(description="Guests, with email."),
        email=graphene.String(),
        description="What can be returned from an order, per line, until when, why and how — or why not.",
    )
    my_return_requests = graphene.List(
        graphene.NonNull(ReturnRequest),
        required=True,
        first=graphene.Int(default_value=20),
        description="The signed-in customer's requests, newest first.",
    )
    return_request = graphene.Field(
        ReturnRequest,
        id=graphene.ID(required=True),
        email=graphene.String(description="Guests: the email of the order."),
    )
    return_requests = graphene.List(
        graphene.NonNull(ReturnRequest),
        required=True,
        first=graphene.Int(default_value=50),
        filter=ReturnRequestFilterInput(),
        search=graphene.String(),
        description="The staff queue, oldest open first. Requires MANAGE_ORDERS.",
    )
    return_policies = graphene.List(
        graphene.NonNull(ReturnPolicy), required=True, description="Requires MANAGE_ORDERS."
    )

    @staticmethod
    def resolve_return_reasons(_root, info):
        requestor = get_requestor(info)
        installation = requestor.require_installation()
        catalogue = selectors.reason_catalogue(installation)
        if not requestor.is_staff:
            catalogue = return_reasons.selectable(catalogue)
        return sorted(catalogue.values(), key=lambda r: (r.position, r.code))

    @staticmethod
    def resolve_return_eligibility(_root, info, order_id=None, order_number=None, email=None):
        order, _actor = order_for_requestor(info, order_id=order_id, order_number=order_number, email=email)
        return ReturnEligibility.of(order, selectors.order_eligibility(order, now=now()))

    @staticmethod
    def resolve_my_return_requests(_root, info, first=20):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.customer_requests(
            installation, user_id=requestor.actor.user_id, email=requestor.actor.email
        )
        return list(qs.select_related("order").order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_return_request(_root, info, id, email=None):
        request, _actor = request_for_requestor(info, id, email)
        return request

    @staticmethod
    def resolve_return_requests(_root, info, first=50, filter=None, search=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        qs = selectors.requests_for(installation).select_related("order")
        qs = _filter_queue(qs, dict(filter or {}), search)
        return list(qs.order_by("created_at", "id")[: page_size(first)])

    @staticmethod
    def resolve_return_policies(_root, info):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        return list(ReturnPolicyModel.objects.filter(installation=installation).prefetch_related("rules"))


class ReturnMutations(graphene.ObjectType):
    return_request_create = ReturnRequestCreate.Field()
    return_request_cancel = ReturnRequestCancel.Field()
    return_request_add_tracking = ReturnRequestAddTracking.Field()
    return_request_request_pickup = ReturnRequestRequestPickup.Field()
    return_request_approve = ReturnRequestApprove.Field()
    return_request_reject = ReturnRequestReject.Field()
    return_request_bulk_approve = ReturnRequestBulkApprove.Field()
    return_request_receive = ReturnRequestReceive.Field()
    return_request_bulk_receive = ReturnRequestBulkReceive.Field()
    return_request_inspect = ReturnRequestInspect.Field()
    return_request_resolve = ReturnRequestResolve.Field()
    return_request_retry_settlement = ReturnRequestRetrySettlement.Field()
    return_policy_update = ReturnPolicyUpdate.Field()
    return_policy_rule_set = ReturnPolicyRuleSet.Field()
    return_policy_rule_delete = ReturnPolicyRuleDelete.Field()
    return_reason_save = ReturnReasonSave.Field()
    return_order_mark_delivered = ReturnOrderMarkDelivered.Field()
