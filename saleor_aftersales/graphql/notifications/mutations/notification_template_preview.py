import graphene

from ....core.errors import DomainError
from ....notifications import actions
from ...core.mutations import BaseMutation
from ..types import TEMPLATES_PERMISSION, NotificationError, NotificationRendered


class NotificationTemplatePreview(BaseMutation):
    rendered = graphene.Field(NotificationRendered)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        event = graphene.String(required=True)
        language = graphene.String(required=True)
        subject = graphene.String(description="A draft subject; omit to render the current one.")
        body = graphene.String(description="A draft body; omit to render the current one.")
        context = graphene.JSONString(description="Placeholder values; the others show as [name].")

    class Meta:
        description = "Render an event's email (drafts included) with sample values; saves nothing. Requires MANAGE_SETTINGS."

    @classmethod
    def perform_mutation(cls, root, info, event, language, subject=None, body=None, context=None):
        installation = cls.requestor(info).require_staff(TEMPLATES_PERMISSION)
        if context is not None and not isinstance(context, dict):
            raise DomainError("INVALID", "context is a JSON object.", "context")
        values = {str(k): str(v) for k, v in (context or {}).items()}
        rendered = actions.preview_template(
            installation=installation,
            event=event,
            language=language,
            subject=subject,
            body=body,
            context=values,
        )
        return cls(
            rendered=NotificationRendered(
                subject=rendered.subject, text=rendered.text, html=rendered.html, language=rendered.language
            )
        )
