"""The app's GraphQL schema: each capability contributes a Query and a Mutation class."""

from __future__ import annotations

import graphene

from .audit.schema import AuditQueries
from .core.schema import CoreMutations, CoreQueries
from .insights.schema import InsightsMutations, InsightsQueries
from .knowledge.schema import KnowledgeMutations, KnowledgeQueries
from .loyalty.schema import LoyaltyMutations, LoyaltyQueries
from .notifications.schema import NotificationMutations, NotificationQueries
from .returns.schema import ReturnMutations, ReturnQueries
from .service.schema import ServiceMutations, ServiceQueries
from .sla.schema import SlaMutations, SlaQueries
from .surveys.schema import SurveyMutations, SurveyQueries
from .warranty.schema import WarrantyMutations, WarrantyQueries


class Query(
    CoreQueries,
    ReturnQueries,
    WarrantyQueries,
    LoyaltyQueries,
    ServiceQueries,
    InsightsQueries,
    SlaQueries,
    NotificationQueries,
    KnowledgeQueries,
    SurveyQueries,
    AuditQueries,
    graphene.ObjectType,
):
    pass


class Mutation(
    CoreMutations,
    ReturnMutations,
    WarrantyMutations,
    LoyaltyMutations,
    ServiceMutations,
    InsightsMutations,
    SlaMutations,
    NotificationMutations,
    KnowledgeMutations,
    SurveyMutations,
    graphene.ObjectType,
):
    pass


def build_schema() -> graphene.Schema:
    from .federation import build_federated_schema

    return build_federated_schema(query=Query, mutation=Mutation)


schema = build_schema()
