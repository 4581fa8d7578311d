import graphene

from ....notifications import actions
from ...core.mutations import BaseMutation
from ..types import TEMPLATES_PERMISSION, NotificationError


class NotificationTemplateDelete(BaseMutation):
    deleted = graphene.Boolean(required=True, description="False when there was no override.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        event = graphene.String(required=True)
        language = graphene.String(required=True)

    class Meta:
        description = "Go back to the default text of an event in a language. Requires MANAGE_SETTINGS."

    @classmethod
    def perform_mutation(cls, root, info, event, language):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(TEMPLATES_PERMISSION)
        deleted = actions.delete_template(
            installation=installation, event=event, language=language, actor=requestor.actor
        )
        return cls(deleted=deleted)
