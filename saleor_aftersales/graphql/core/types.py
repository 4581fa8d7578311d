"""Shared GraphQL types: Money (Saleor's shape), timeline events, pagination arguments."""

from __future__ import annotations

import enum

import graphene
from django.conf import settings

from ...core.errors import DomainError


class Money(graphene.ObjectType):
    amount = graphene.Decimal(required=True, description="Decimal amount (Saleor's Money shape).")
    currency = graphene.String(required=True, description="ISO 4217 currency code.")

    class Meta:
        # Not "Money": Saleor's Money (Float amount) lives in the same federated supergraph.
        name = "AftersalesMoney"
        description = "An amount of money in one currency."


def money(amount, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


class TimelineEvent(graphene.ObjectType):
    """One audited state change: who did what, when, from which state to which."""

    id = graphene.ID(required=True)
    type = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    actor_type = graphene.String(required=True, description="customer, staff, guest, app (Saleor) or system.")
    actor_email = graphene.String()
    from_status = graphene.String()
    to_status = graphene.String()
    note = graphene.String()
    message = graphene.String(description="Human-readable text in the requested language.")


def page_size(first: int | None, default: int = 20) -> int:
    size = default if first is None else first
    if size < 0 or size > settings.GRAPHQL_MAX_LIST_SIZE:
        raise DomainError(
            "OUT_OF_RANGE", f"`first` must be between 0 and {settings.GRAPHQL_MAX_LIST_SIZE}.", "first"
        )
    return size


class Upload(graphene.Scalar):
    """A file sent with the GraphQL multipart request spec (field `map` + files), like Saleor's Upload."""

    @staticmethod
    def serialize(value):
        return getattr(value, "name", None)

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node, _variables=None):
        return None


def choices_enum(name: str, values: list[str], description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum of a model's TextChoices values (`in_repair` -> `IN_REPAIR`); the blank choice is left out."""
    members = enum.Enum(name, [(value.upper(), value) for value in values if value])  # type: ignore[misc]
    if description:
        return graphene.Enum.from_enum(members, description=description)
    return graphene.Enum.from_enum(members)
