"""GraphQL queries and mutations of the service capability."""

from __future__ import annotations

import graphene
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from ...core.time import now
from ...installations.permissions import SaleorPermission
from ...service.contact import email_digest
from ...service.models import CaseTag, EscalationRule
from ...service.models import ServiceCase as ServiceCaseModel
from ...sla.models import SlaClock
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


def filter_inbox(qs, filters: dict, search: str | None):
    if filters.get("statuses"):
        qs = qs.filter(status__in=[enum_value(s) for s in filters["statuses"]])
    if filters.get("priorities"):
        qs = qs.filter(priority__in=[enum_value(p) for p in filters["priorities"]])
    if filters.get("kind"):
        qs = qs.filter(kind=enum_value(filters["kind"]))
    if filters.get("channel"):
        qs = qs.filter(channel=enum_value(filters["channel"]))
    if filters.get("assignee_id"):
        qs = qs.filter(assignee_user_id=filters["assignee_id"])
    if filters.get("unassigned"):
        qs = qs.filter(assignee_user_id="")
    if filters.get("tag"):
        qs = qs.filter(
            Exists(CaseTag.objects.filter(case=OuterRef("pk"), tag=filters["tag"].strip().lower()))
        )
    if filters.get("customer_email"):
        qs = qs.filter(customer_email_digest=email_digest(filters["customer_email"]))
    if filters.get("breached") is not None:
        current = now()
        overdue = SlaClock.objects.filter(subject_type="service_case", subject_id=OuterRef("pk_text")).filter(
            Q(status="breached") | Q(status="running", due_at__lt=current)
        )
        qs = qs.annotate(pk_text=Cast("pk", CharField()))
        qs = qs.filter(Exists(overdue)) if filters["breached"] else qs.exclude(Exists(overdue))
    if search and search.strip():
        term = search.strip()
        qs = qs.filter(
            Q(number__iexact=term) | Q(subject__icontains=term) | Q(customer_email_digest=email_digest(term))
        )
    return qs


class ServiceQueries(graphene.ObjectType):
    my_service_cases = graphene.List(
        graphene.NonNull(ServiceCase),
        required=True,
        first=graphene.Int(default_value=20),
        description="The signed-in customer's cases, newest first.",
    )
    service_case = graphene.Field(ServiceCase, id=graphene.ID(required=True))
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
        actor = requestor.actor
        who = Q(customer_email_digest=email_digest(actor.email)) if actor.email else Q(pk__in=[])
        if actor.user_id:
            # By user id when the case has one; by email for cases opened before the account existed.
            who = Q(customer_user_id=actor.user_id) | (who & Q(customer_user_id=""))
        qs = ServiceCaseModel.objects.filter(who, installation=installation).select_related(
            "last_public_message"
        )
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_service_case(_root, info, id):
        case, _actor = case_for_requestor(info, id)
        return case

    @staticmethod
    def resolve_service_cases(_root, info, first=50, filter=None, search=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        qs = ServiceCaseModel.objects.filter(installation=installation).select_related("last_message")
        qs = filter_inbox(qs, dict(filter or {}), search)
        return list(qs.order_by("-last_message_at", "-id")[: page_size(first)])

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
