import graphene

from ....notifications import actions
from ....notifications import templates as registry
from ...core.mutations import BaseMutation
from ..types import TEMPLATES_PERMISSION, NotificationError, NotificationTemplate


def template_payload(row) -> NotificationTemplate:
    return NotificationTemplate(
        event=row.event,
        language=row.language,
        subject=row.subject,
        body=row.body,
        is_overridden=True,
        placeholders=sorted(registry.allowed_placeholders(row.event)),
        updated_at=row.updated_at,
    )


class NotificationTemplateInput(graphene.InputObjectType):
    event = graphene.String(required=True)
    language = graphene.String(required=True, description="en or zh-hans")
    subject = graphene.String(required=True)
    body = graphene.String(
        required=True, description="Plain text with {placeholder} fields; HTML is derived."
    )


class NotificationTemplateSave(BaseMutation):
    template = graphene.Field(NotificationTemplate)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        input = NotificationTemplateInput(required=True)

    class Meta:
        description = (
            "Override the subject and body of one event in one language for this installation; an unknown "
            "placeholder is UNKNOWN_PLACEHOLDER. Requires MANAGE_SETTINGS."
        )

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(TEMPLATES_PERMISSION)
        row = actions.save_template(installation=installation, actor=requestor.actor, **dict(input))
        return cls(template=template_payload(row))
