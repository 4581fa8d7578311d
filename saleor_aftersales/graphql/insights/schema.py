"""GraphQL queries and mutations of the insights capability (staff with MANAGE_ORDERS)."""

from __future__ import annotations

import graphene

from ...core.time import now
from ...insights import selectors
from ...insights.rollups import settings_for
from ..core.types import page_size
from .access import alert_for_staff, simulation_for_staff, staff_installation
from .mutations.insights_rollups_refresh import InsightsRollupsRefresh
from .mutations.insights_settings_update import InsightsSettingsUpdate
from .mutations.policy_simulation_start import PolicySimulationStart
from .mutations.quality_alert_acknowledge import QualityAlertAcknowledge
from .types import (
    InsightsFilterInput,
    InsightsOverview,
    InsightsProduct,
    InsightsSettings,
    PolicySimulation,
    QualityAlert,
    QualityAlertStatusEnum,
)


def _filters(installation, data) -> selectors.KpiFilters:
    data = dict(data or {})
    return selectors.clean_filters(
        installation,
        start=data.get("start"),
        end=data.get("end"),
        channel=data.get("channel") or "",
        currency=data.get("currency") or "",
        product_id=data.get("product_id") or "",
        variant_id=data.get("variant_id") or "",
        category_id=data.get("category_id") or "",
        today=now().date(),
    )


class InsightsQueries(graphene.ObjectType):
    insights_overview = graphene.Field(
        InsightsOverview,
        required=True,
        filter=InsightsFilterInput(required=True),
        description="After-sales KPIs of a period, from the daily rollups (see staleness). Requires MANAGE_ORDERS.",
    )
    insights_products = graphene.List(
        graphene.NonNull(InsightsProduct),
        required=True,
        filter=InsightsFilterInput(required=True),
        first=graphene.Int(default_value=50),
        description="Variants by returned units in the period. Requires MANAGE_ORDERS.",
    )
    quality_alerts = graphene.List(
        graphene.NonNull(QualityAlert),
        required=True,
        status=QualityAlertStatusEnum(),
        first=graphene.Int(default_value=50),
        description="Quality alerts, newest first. Requires MANAGE_ORDERS.",
    )
    quality_alert = graphene.Field(QualityAlert, id=graphene.ID(required=True))
    policy_simulation = graphene.Field(PolicySimulation, id=graphene.ID(required=True))
    policy_simulations = graphene.List(
        graphene.NonNull(PolicySimulation), required=True, first=graphene.Int(default_value=20)
    )
    insights_settings = graphene.Field(InsightsSettings, required=True)

    @staticmethod
    def resolve_insights_overview(_root, info, filter):
        installation = staff_installation(info)
        return selectors.overview(installation, _filters(installation, filter))

    @staticmethod
    def resolve_insights_products(_root, info, filter, first=50):
        installation = staff_installation(info)
        return selectors.product_table(installation, _filters(installation, filter))[: page_size(first)]

    @staticmethod
    def resolve_quality_alerts(_root, info, status=None, first=50):
        installation = staff_installation(info)
        value = getattr(status, "value", status)
        return list(selectors.alerts_for(installation, status=value)[: page_size(first)])

    @staticmethod
    def resolve_quality_alert(_root, info, id):
        return alert_for_staff(info, id)

    @staticmethod
    def resolve_policy_simulation(_root, info, id):
        return simulation_for_staff(info, id)

    @staticmethod
    def resolve_policy_simulations(_root, info, first=20):
        installation = staff_installation(info)
        return list(selectors.simulations_for(installation)[: page_size(first)])

    @staticmethod
    def resolve_insights_settings(_root, info):
        return settings_for(staff_installation(info))


class InsightsMutations(graphene.ObjectType):
    quality_alert_acknowledge = QualityAlertAcknowledge.Field()
    policy_simulation_start = PolicySimulationStart.Field()
    insights_settings_update = InsightsSettingsUpdate.Field()
    insights_rollups_refresh = InsightsRollupsRefresh.Field()
