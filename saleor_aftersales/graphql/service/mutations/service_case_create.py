import graphene

from ....core.errors import DomainError
from ....core.idempotency import scoped_key
from ....core.ratelimit import enforce
from ....installations.permissions import SaleorPermission
from ....knowledge.selectors import articles_for_intent
from ....knowledge.triage import ARTICLES_PER_SUGGESTION
from ....service import actions
from ...core.context import get_requestor
from ...core.guests import guest_actor, has_proof, proven_order
from ...core.mutations import BaseMutation
from ...core.types import Upload
from ..types import (
    ServiceCase,
    ServiceCaseChannelEnum,
    ServiceCaseKindEnum,
    ServiceCaseLinkEnum,
    ServiceCasePriorityEnum,
    ServiceError,
    ServiceTriageSuggestion,
    enum_value,
)

CUSTOMER_RATE = "10/hour"


class ServiceCaseCreateInput(graphene.InputObjectType):
    kind = graphene.Field(ServiceCaseKindEnum, default_value="consultation")
    subject = graphene.String(required=True)
    body = graphene.String(required=True, description="The customer's message (staff: what the caller said).")
    linked_type = graphene.Field(ServiceCaseLinkEnum)
    linked_id = graphene.ID(description="Saleor Order id, ReturnRequest id, or a warranty claim / repair id.")
    language = graphene.String(description="en or zh-hans (default: the order's, else English).")
    attachments = graphene.List(graphene.NonNull(Upload), description="JPEG, PNG, WebP or PDF (multipart).")
    channel = graphene.Field(ServiceCaseChannelEnum, description="Staff only (customers: storefront).")
    priority = graphene.Field(ServiceCasePriorityEnum, description="Staff only (customers: normal).")
    customer_email = graphene.String(description="Staff only: whom the case is for.")
    customer_user_id = graphene.ID(description="Staff only: the customer's Saleor User id.")
    customer_name = graphene.String(description="Staff only.")
    customer_phone = graphene.String(description="Staff only (phone cases).")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Staff only.")
    idempotency_key = graphene.String(
        description="Client-chosen (e.g. a UUID per submit): a retry with the same key answers the first result and "
        "creates nothing."
    )
    order_number = graphene.String(description="Guests: the number of the order the case is about.")
    email = graphene.String(description="Guests: the email the order was placed with.")


class ServiceCaseCreate(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    suggestion = graphene.Field(
        ServiceTriageSuggestion, description="Intent of the message and help articles that may answer it."
    )
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        input = ServiceCaseCreateInput(required=True)

    class Meta:
        description = (
            "Open a case: signed-in customers for themselves; guests about an order (its number and email); staff "
            "(MANAGE_ORDERS) log phone/email cases."
        )

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = get_requestor(info)
        actor = requestor.actor
        linked_type = enum_value(input.get("linked_type")) or ""
        linked_id = input.get("linked_id") or ""
        if requestor.is_staff:
            installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
            who = {
                "customer_email": input.get("customer_email") or "",
                "customer_user_id": input.get("customer_user_id") or "",
                "customer_name": input.get("customer_name") or "",
                "customer_phone": input.get("customer_phone") or "",
                "channel": enum_value(input.get("channel")) or "phone",
                "priority": enum_value(input.get("priority")) or "normal",
                "tags": input.get("tags") or [],
            }
        elif not requestor.is_customer and has_proof(input.get("order_number"), input.get("email")):
            installation = requestor.require_installation()
            order = proven_order(
                info, installation, order_number=input.get("order_number"), email=input.get("email")
            )
            if (linked_type or linked_id) and (linked_type != "order" or linked_id != order.saleor_id):
                raise DomainError(
                    "INVALID_LINK", "A guest's case is about the order given by number and email.", "linkedId"
                )
            actor = guest_actor(order)
            enforce(CUSTOMER_RATE, "service-case-create-guest", str(installation.pk), actor.email)
            linked_type, linked_id = "order", order.saleor_id
            who = {
                "customer_email": order.user_email,
                "customer_user_id": "",
                "channel": "storefront",
                "priority": "normal",
            }
        else:
            installation = requestor.require_customer()
            # A signed-in customer opens a handful of cases, not hundreds: bound what one account can flood.
            enforce(CUSTOMER_RATE, "service-case-create", str(installation.pk), requestor.actor.user_id or "")
            who = {
                "customer_email": requestor.actor.email,
                "customer_user_id": requestor.actor.user_id,
                "channel": "storefront",
                "priority": "normal",
            }
        case = actions.open_case(
            installation=installation,
            kind=enum_value(input.get("kind")) or "consultation",
            subject=input.get("subject") or "",
            body=input.get("body") or "",
            linked_type=linked_type,
            linked_id=linked_id,
            language=input.get("language"),
            attachments=input.get("attachments") or [],
            actor=actor,
            idempotency_key=scoped_key(actor, input.get("idempotency_key")),
            **who,
        )
        suggestion = None
        if case.intent:
            suggestion = ServiceTriageSuggestion(
                intent=case.intent,
                confidence=case.intent_confidence or 0.0,
                articles=articles_for_intent(
                    installation, intent=case.intent, language=case.language, limit=ARTICLES_PER_SUGGESTION
                ),
            )
        return cls(service_case=case, suggestion=suggestion)
