"""Helpers shared by the resolver modules."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ..ids import from_global_id
from ..schema_exec import ExecContext, MutationErrors, error
from ..state import Obj


def node(
    ctx: ExecContext, global_id: str | None, *type_names: str, field_name: str, code: str = "NOT_FOUND"
) -> Obj:
    """The object behind a mutation's ID argument, or Saleor's error for that argument."""
    if global_id is None:
        raise MutationErrors([error(field_name, "REQUIRED", "This field is required.")])
    try:
        type_name, _ = from_global_id(global_id)
    except ValueError:
        raise MutationErrors(
            [error(field_name, "GRAPHQL_ERROR", f"Couldn't resolve id: {global_id}.")]
        ) from None
    if type_names and type_name not in type_names:
        raise MutationErrors(
            [
                error(
                    field_name,
                    "GRAPHQL_ERROR",
                    f"Invalid ID: {global_id}. Expected: {', '.join(type_names)}, received: {type_name}.",
                )
            ]
        )
    obj = ctx.state.get(global_id, *type_names)
    if obj is None:
        raise MutationErrors([error(field_name, code, f"Couldn't resolve to a node: {global_id}")])
    return obj


def query_node(ctx: ExecContext, global_id: str | None, type_name: str) -> Obj | None:
    """The object behind a query's ID argument: a GraphQL error for a malformed or foreign id, None when absent."""
    if global_id is None:
        return None
    try:
        found_type, _ = from_global_id(global_id)
    except ValueError:
        raise GraphQLError(f"Couldn't resolve id: {global_id}.") from None
    if found_type != type_name:
        raise GraphQLError(f"Invalid ID: {global_id}. Expected: {type_name}, received: {found_type}.")
    return ctx.state.get(global_id, type_name)


def metadata_dict(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {item["key"]: item["value"] for item in items or []}


def actor(ctx: ExecContext) -> Obj | None:
    return ctx.viewer.principal
