"""Shared parts of the warranty mutations."""

from __future__ import annotations

import graphene

from ..types import WarrantyError


def errors_field():
    return graphene.NonNull(graphene.List(graphene.NonNull(WarrantyError)))


def enum_value(value):
    return getattr(value, "value", value)
