"""Saleor-style errors: every mutation returns `errors: [<Domain>Error!]!` with `field`, `code`, `message`."""

from __future__ import annotations

from enum import Enum

import graphene

# Codes every domain shares; each domain's enum adds its own.
COMMON_ERROR_CODES = [
    "GRAPHQL_ERROR",
    "INVALID",
    "REQUIRED",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "RATE_LIMITED",
    "INVALID_TRANSITION",
    "TOO_LONG",
    "OUT_OF_RANGE",
    "FILE_TOO_LARGE",
    "INVALID_FILE_TYPE",
    "DUPLICATE",
]


def error_code_enum(name: str, codes: list[str], description: str = "") -> type[graphene.Enum]:
    members = list(dict.fromkeys([*COMMON_ERROR_CODES, *codes]))
    enum = Enum(name, [(code, code) for code in members])  # type: ignore[misc]
    return graphene.Enum.from_enum(enum, description=description or f"Error codes of {name}.")


def error_type(name: str, code_enum: type[graphene.Enum]) -> type[graphene.ObjectType]:
    return type(
        name,
        (graphene.ObjectType,),
        {
            "field": graphene.String(
                description="The input field the error is about; null when it concerns the whole input."
            ),
            "code": graphene.Field(code_enum, required=True),
            "message": graphene.String(required=True),
            "__doc__": f"An error of a {name.removesuffix('Error')} mutation.",
        },
    )


def code_members(code_enum: type[graphene.Enum]) -> set[str]:
    return {member.name for member in code_enum._meta.enum}  # type: ignore[attr-defined]
