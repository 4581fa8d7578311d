import graphene
from graphene.utils.str_converters import to_camel_case

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class PickupAddressInput(graphene.InputObjectType):
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    street_address_1 = graphene.String(required=True)
    street_address_2 = graphene.String(name="streetAddress2")
    city = graphene.String(required=True)
    city_area = graphene.String(name="cityArea")
    postal_code = graphene.String(required=True)
    country = graphene.String(required=True)
    country_area = graphene.String(name="countryArea")
    phone = graphene.String(required=True)


class ReturnRequestRequestPickup(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        email = graphene.String(description="Guests: the email of the order.")
        address = graphene.Argument(PickupAddressInput, required=True)
        window_start = graphene.DateTime(required=True)
        window_end = graphene.DateTime(required=True)

    class Meta:
        description = "Ask for a courier to collect the parcel (address and time window)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], data.get("email"))
        request = actions.request_pickup(
            request=request,
            actor=actor,
            address={
                to_camel_case(key): value for key, value in data["address"].items() if value is not None
            },
            window_start=data["window_start"],
            window_end=data["window_end"],
        )
        return cls(return_request=request)
