"""GraphQL query of the configuration history (staff, MANAGE_ORDERS): every saved policy, rule, reward, template."""

import graphene

from ...audit import selectors
from ...installations.permissions import SaleorPermission
from ..core.context import get_requestor
from ..core.types import page_size
from .types import ConfigurationChange


class AuditQueries(graphene.ObjectType):
    configuration_changes = graphene.List(
        graphene.NonNull(ConfigurationChange),
        required=True,
        first=graphene.Int(default_value=50),
        target_type=graphene.String(description="e.g. `returns.ReturnPolicy`, `loyalty.Reward`."),
        target_id=graphene.ID(),
        description="MANAGE_ORDERS. Newest first.",
    )

    @staticmethod
    def resolve_configuration_changes(_root, info, first=50, target_type=None, target_id=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        rows = selectors.recent_changes(
            installation, target_type=target_type or "", target_id=target_id or ""
        )
        return list(rows[: page_size(first, default=50)])
