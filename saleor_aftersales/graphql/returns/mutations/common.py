"""Shared parts of the returns mutations."""

from __future__ import annotations

import graphene

from ..types import ReturnError, ReturnRequest


def request_payload_fields() -> dict:
    return {
        "return_request": graphene.Field(ReturnRequest),
        "errors": graphene.NonNull(graphene.List(graphene.NonNull(ReturnError))),
    }


def enum_value(value):
    return getattr(value, "value", value)
