"""GraphQL types of the service capability."""

from __future__ import annotations

import graphene
from graphene_federation import key

from ...core.i18n import normalize_language
from ...core.ids import to_global_id
from ...core.time import now
from ...service import error_codes
from ...service.models import CaseChannel, CaseKind, CasePriority, CaseStatus, LinkedType, MessageKind
from ...service.models import ServiceCase as ServiceCaseModel
from ...service.timeline import build_timeline
from ...sla.selectors import sla_state
from ..core.context import get_loader, get_requestor
from ..core.entities import reference_resolver
from ..core.errors import error_code_enum, error_type
from ..core.types import TimelineEvent, choices_enum
from .dataloaders import (
    AttachmentsByMessageIdLoader,
    MessagesByCaseIdLoader,
    SlaClocksByCaseIdLoader,
    TagsByCaseIdLoader,
)

ServiceErrorCode = error_code_enum("ServiceErrorCode", error_codes.ALL)
ServiceError = error_type("ServiceError", ServiceErrorCode)


ServiceCaseKindEnum = choices_enum("ServiceCaseKindEnum", CaseKind.values)
ServiceCaseChannelEnum = choices_enum("ServiceCaseChannelEnum", CaseChannel.values)
ServiceCasePriorityEnum = choices_enum("ServiceCasePriorityEnum", CasePriority.values)
ServiceCaseStatusEnum = choices_enum("ServiceCaseStatusEnum", CaseStatus.values)
ServiceCaseLinkEnum = choices_enum("ServiceCaseLinkEnum", LinkedType.values, "What a case is about.")
ServiceMessageKindEnum = choices_enum("ServiceMessageKindEnum", MessageKind.values)
ServiceCaseTransitionEnum = choices_enum(
    "ServiceCaseTransitionEnum", ["open", "wait_on_customer", "resolve", "close", "reopen"]
)

# Most urgent first: what a list shows for a case with several clocks.
STATE_RANK = {"breached": 0, "at_risk": 1, "on_track": 2, "paused": 3, "met": 4, "none": 5}


def enum_value(value):
    return getattr(value, "value", value)


def _language(info, language=None) -> str:
    return normalize_language(language or info.context.headers.get("Accept-Language", "en")[:5])


class ServiceAttachment(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    url = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ServiceAttachment", root.pk)

    @staticmethod
    def resolve_url(root, info):
        return info.context.build_absolute_uri(root.file.url)


class ServiceMessage(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.Field(ServiceMessageKindEnum, required=True)
    body = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    author_type = graphene.String(required=True, description="customer, staff, guest, app or system.")
    author_email = graphene.String(description="Staff authors, for staff only.")
    attachments = graphene.List(graphene.NonNull(ServiceAttachment), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ServiceMessage", root.pk)

    @staticmethod
    def resolve_kind(root, _info):
        return str(root.kind)

    @staticmethod
    def resolve_author_email(root, info):
        return (root.author_email or None) if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_attachments(root, info):
        return get_loader(info, AttachmentsByMessageIdLoader).load(root.pk)


class ServiceSlaClock(graphene.ObjectType):
    metric = graphene.String(
        required=True,
        description="first_response, next_response[:round] or resolution[:round] (after a reopen).",
    )
    status = graphene.String(required=True, description="running, paused, met, breached or cancelled.")
    state = graphene.String(required=True, description="on_track, at_risk, breached, met, paused or none.")
    started_at = graphene.DateTime(required=True)
    due_at = graphene.DateTime(required=True)
    stopped_at = graphene.DateTime()
    target_minutes = graphene.Int(required=True)

    @staticmethod
    def resolve_state(root, _info):
        return sla_state(root, now())


def _live_clocks(clocks):
    return [c for c in clocks if c.status != "cancelled"]


def _headline(clocks):
    """The clock a list shows: the most urgent live one, soonest due first."""
    live = _live_clocks(clocks)
    if not live:
        return None
    current = now()
    return sorted(live, key=lambda c: (STATE_RANK[sla_state(c, current)], c.due_at))[0]


@key("id")
class ServiceCase(graphene.ObjectType):
    id = graphene.ID(required=True)
    number = graphene.String(required=True)
    kind = graphene.Field(ServiceCaseKindEnum, required=True)
    channel = graphene.Field(ServiceCaseChannelEnum, required=True)
    priority = graphene.Field(ServiceCasePriorityEnum, required=True)
    status = graphene.Field(ServiceCaseStatusEnum, required=True)
    subject = graphene.String(required=True)
    language = graphene.String(required=True)
    customer_email = graphene.String(description="Staff only.")
    customer_name = graphene.String(description="Staff only.")
    customer_phone = graphene.String(description="Staff only.")
    customer_user_id = graphene.ID(description="Saleor User id (staff only).")
    linked_type = graphene.Field(ServiceCaseLinkEnum)
    linked_id = graphene.ID(
        description="Saleor Order id, our ReturnRequest id, or a warranty claim/repair id."
    )
    assignee_id = graphene.ID(description="The assigned Saleor staff user (staff only).")
    assignee_email = graphene.String(description="Staff only.")
    intent = graphene.String(description="What triage made of the first message.")
    tags = graphene.List(graphene.NonNull(graphene.String), required=True, description="Staff only (empty).")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    last_message_at = graphene.DateTime()
    first_response_at = graphene.DateTime()
    resolved_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    last_message = graphene.Field(
        ServiceMessage, description="Staff: the last message or note; customers: the last one they can see."
    )
    messages = graphene.List(
        graphene.NonNull(ServiceMessage), required=True, description="Notes: staff only."
    )
    sla_state = graphene.String(description="Staff: the most urgent clock's state (on_track, at_risk, ...).")
    sla_due_at = graphene.DateTime(description="Staff: when the most urgent running clock is due.")
    respond_by = graphene.DateTime(
        description="When the shop promises its next answer (running response clock); null when none is owed."
    )
    sla_clocks = graphene.List(graphene.NonNull(ServiceSlaClock), required=True, description="Staff only.")
    timeline = graphene.List(
        graphene.NonNull(TimelineEvent),
        required=True,
        language=graphene.String(),
        description="Everything about this case: messages, state changes, linked return events, points.",
    )

    class Meta:
        description = "A customer's service case (consultation or complaint) with its thread and SLA state."

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ServiceCase", root.pk)

    @staticmethod
    def resolve_kind(root, _info):
        return str(root.kind)

    @staticmethod
    def resolve_channel(root, _info):
        return str(root.channel)

    @staticmethod
    def resolve_priority(root, _info):
        return str(root.priority)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_customer_email(root, info):
        return root.customer_email or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_customer_name(root, info):
        return root.customer_name or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_customer_phone(root, info):
        return root.customer_phone or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_customer_user_id(root, info):
        return root.customer_user_id or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_linked_type(root, _info):
        return root.linked_type or None

    @staticmethod
    def resolve_linked_id(root, info):
        if root.linked_type == LinkedType.RETURN_REQUEST and root.linked_id.isdigit():
            return to_global_id("ReturnRequest", root.linked_id)
        return root.linked_id or None

    @staticmethod
    def resolve_assignee_id(root, info):
        return root.assignee_user_id or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_assignee_email(root, info):
        return root.assignee_email or None if get_requestor(info).is_staff else None

    @staticmethod
    def resolve_intent(root, _info):
        return root.intent or None

    @staticmethod
    def resolve_tags(root, info):
        if not get_requestor(info).is_staff:
            return []
        return get_loader(info, TagsByCaseIdLoader).load(root.pk)

    @staticmethod
    def resolve_last_message(root, info):
        return root.last_message if get_requestor(info).is_staff else root.last_public_message

    @staticmethod
    def resolve_messages(root, info):
        staff = get_requestor(info).is_staff
        return (
            get_loader(info, MessagesByCaseIdLoader)
            .load(root.pk)
            .then(lambda rows: [m for m in rows if staff or m.kind != MessageKind.NOTE])
        )

    @staticmethod
    def resolve_sla_clocks(root, info):
        if not get_requestor(info).is_staff:
            return []
        return get_loader(info, SlaClocksByCaseIdLoader).load(root.pk).then(_live_clocks)

    @staticmethod
    def resolve_sla_state(root, info):
        if not get_requestor(info).is_staff:
            return None

        def pick_state(clocks):
            clock = _headline(clocks)
            return sla_state(clock, now()) if clock is not None else "none"

        return get_loader(info, SlaClocksByCaseIdLoader).load(root.pk).then(pick_state)

    @staticmethod
    def resolve_respond_by(root, info):
        def due(clocks):
            running = [c for c in clocks if c.status == "running" and "response" in c.metric]
            return min(c.due_at for c in running) if running else None

        return get_loader(info, SlaClocksByCaseIdLoader).load(root.pk).then(due)

    @staticmethod
    def resolve_sla_due_at(root, info):
        if not get_requestor(info).is_staff:
            return None

        def due(clocks):
            running = [c for c in clocks if c.status == "running"]
            return min(c.due_at for c in running) if running else None

        return get_loader(info, SlaClocksByCaseIdLoader).load(root.pk).then(due)

    @staticmethod
    def resolve_timeline(root, info, language=None):
        lang = _language(info, language or root.language)
        staff = get_requestor(info).is_staff
        return [
            TimelineEvent(
                id=entry.id,
                type=f"{entry.source}:{entry.type}",
                created_at=entry.created_at,
                actor_type=entry.actor_type or "system",
                actor_email=(entry.actor_email or None) if staff else None,
                from_status=entry.from_status or None,
                to_status=entry.to_status or None,
                note=entry.note or None,
                message=entry.message(lang),
            )
            for entry in build_timeline(root, include_internal=staff)
        ]

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, (cls, ServiceCaseModel))

    @staticmethod
    def _resolve_reference(entity, info):
        from .dataloaders import VisibleServiceCaseByPkLoader

        return reference_resolver("ServiceCase", VisibleServiceCaseByPkLoader)(entity, info)


class ServiceTriageSuggestion(graphene.ObjectType):
    intent = graphene.String(required=True)
    confidence = graphene.Float(required=True)
    articles = graphene.List(
        graphene.NonNull("saleor_aftersales.graphql.knowledge.types.KnowledgeArticle"), required=True
    )


class ServiceEscalationRule(graphene.ObjectType):
    id = graphene.ID(required=True)
    metric = graphene.String(required=True, description="Empty: any metric.")
    raise_priority = graphene.Boolean(required=True)
    reassign_to_id = graphene.ID()
    reassign_to_email = graphene.String()
    notify_email = graphene.String()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ServiceEscalationRule", root.pk)

    @staticmethod
    def resolve_reassign_to_id(root, _info):
        return root.reassign_to_user_id or None
