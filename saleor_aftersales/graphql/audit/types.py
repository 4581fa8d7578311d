"""GraphQL types of the configuration history."""

import graphene

from ...audit.models import ChangeAction
from ..core.types import choices_enum

ConfigurationChangeActionEnum = choices_enum("ConfigurationChangeActionEnum", ChangeAction.values)


class ConfigurationFieldChange(graphene.ObjectType):
    field = graphene.String(required=True, description="The model field (e.g. `window_days`).")
    before = graphene.JSONString(description="The value before (null when created); secrets are masked.")
    after = graphene.JSONString(description="The value after (null when deleted); secrets are masked.")


class ConfigurationChange(graphene.ObjectType):
    """One saved setting: who changed it, when, and each field before and after."""

    id = graphene.ID(required=True)
    created_at = graphene.DateTime(required=True)
    action = graphene.Field(ConfigurationChangeActionEnum, required=True)
    target_type = graphene.String(
        required=True, description="The kind of setting, e.g. `warranty.Technician`."
    )
    target_id = graphene.ID(required=True)
    target_label = graphene.String()
    actor_type = graphene.String(required=True, description="staff, app (Saleor) or system.")
    actor_email = graphene.String()
    changes = graphene.List(graphene.NonNull(ConfigurationFieldChange), required=True)

    @staticmethod
    def resolve_action(root, info):
        return root.type

    @staticmethod
    def resolve_actor_email(root, info):
        return root.actor_email or None

    @staticmethod
    def resolve_changes(root, info):
        return [
            ConfigurationFieldChange(field=name, before=pair[0], after=pair[1])
            for name, pair in (root.data.get("changes") or {}).items()
        ]
