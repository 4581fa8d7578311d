"""GraphQL queries and mutations of the service capability."""

from __future__ import annotations

import graphene

from ...core.time import now
from ...installations.permissions import SaleorPermission
from ...service import selectors
from ...service.models import EscalationRule
from ..core.context import get_requestor
from ..core.types import page_size
from .access import case_for_requestor
from .mutations.service_case_assign import ServiceCaseAssign
from .mutations.service_case_create import ServiceCaseCreate
from .mutations.service_case_reopen import ServiceCaseReopen
from .mutations.service_case_reply import ServiceCaseReply
from .mutations.service_case_set_priority import ServiceCaseSetPriority
from .mutations.service_case_set_tags import ServiceCaseSetTags
from .mutations.service_case_transition import ServiceCaseTransition
from .mutations.service_customer_data import ServiceCustomerDataErase, ServiceCustomerDataExport
from .mutations.service_escalation_rule_save import ServiceEscalationRuleSave
from .types import (
    ServiceCase,
    ServiceCaseChannelEnum,
    ServiceCaseKindEnum,
    ServiceCasePriorityEnum,
    ServiceCaseStatusEnum,
    ServiceEscalationRule,
    enum_value,
)


class ServiceCaseFilterInput(graphene.InputObjectType):
    statuses = graphene.List(graphene.NonNull(ServiceCaseStatusEnum))
    priorities = graphene.List(graphene.NonNull(ServiceCasePriorityEnum))
    kind = graphene.Field(ServiceCaseKindEnum)
    channel = graphene.Field(ServiceCaseChannelEnum)
    assignee_id = graphene.ID(description="A staff User id.")
    unassigned = graphene.Boolean()
    tag = graphene.String()
    breached = graphene.Boolean(description="True: a clock is breached (or overdue); false: none is.")
    customer_email = graphene.String(
        description="Exact address (matched on its digest: emails are encrypted)."
    )


class ServiceQueries(graphene.ObjectType):
    my_service_cases = graphene.List(
        graphene.NonNull(ServiceCase),
        required=True,
        first=graphene.Int(default_value=20),
        description="The signed-in customer's cases, newest first.",
    )
    service_case = graphene.Field(
        ServiceCase,
        id=graphene.ID(required=True),
        order_number=graphene.String(description="Guests: the number of the case's order."),
        email=graphene.String(description="Guests: the email the order was placed with."),
    )
    service_cases = graphene.List(
        graphene.NonNull(ServiceCase),
        required=True,
        first=graphene.Int(default_value=50),
        filter=ServiceCaseFilterInput(),
        search=graphene.String(description="Case number, words of the subject, or the exact customer email."),
        description="The staff inbox, latest activity first. Requires MANAGE_ORDERS.",
    )
    service_escalation_rules = graphene.List(
        graphene.NonNull(ServiceEscalationRule), required=True, description="Requires MANAGE_ORDERS."
    )

    @staticmethod
    def resolve_my_service_cases(_root, info, first=20):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.customer_cases(
            installation, user_id=requestor.actor.user_id, email=requestor.actor.email
        ).select_related("last_public_message")
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_service_case(_root, info, id, order_number=None, email=None):
        case, _actor = case_for_requestor(info, id, order_number=order_number, email=email)
        return case

    @staticmethod
    def resolve_service_cases(_root, info, first=50, filter=None, search=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        filters = dict(filter or {})
        qs = selectors.inbox(
            installation,
            now=now(),
            statuses=[enum_value(s) for s in filters.get("statuses") or []],
            priorities=[enum_value(p) for p in filters.get("priorities") or []],
            kind=enum_value(filters.get("kind")) or "",
            channel=enum_value(filters.get("channel")) or "",
            assignee_user_id=filters.get("assignee_id") or "",
            unassigned=bool(filters.get("unassigned")),
            tag=filters.get("tag") or "",
            breached=filters.get("breached"),
            customer_email=filters.get("customer_email") or "",
            search=search or "",
        )
        return list(qs[: page_size(first)])

    @staticmethod
    def resolve_service_escalation_rules(_root, info):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        return list(EscalationRule.objects.filter(installation=installation).order_by("metric"))


class ServiceMutations(graphene.ObjectType):
    service_case_create = ServiceCaseCreate.Field()
    service_case_reply = ServiceCaseReply.Field()
    service_case_reopen = ServiceCaseReopen.Field()
    service_case_assign = ServiceCaseAssign.Field()
    service_case_transition = ServiceCaseTransition.Field()
    service_case_set_priority = ServiceCaseSetPriority.Field()
    service_case_set_tags = ServiceCaseSetTags.Field()
    service_escalation_rule_save = ServiceEscalationRuleSave.Field()
    service_customer_data_export = ServiceCustomerDataExport.Field()
    service_customer_data_erase = ServiceCustomerDataErase.Field()
