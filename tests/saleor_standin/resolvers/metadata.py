"""updateMetadata / updatePrivateMetadata / deleteMetadata / deletePrivateMetadata."""

from __future__ import annotations

from typing import Any

from ..domain.metadata import check_permission, update_metadata
from ..schema_exec import ExecContext, mutation
from .common import node


def _update(ctx: ExecContext, id_: str, items: list[dict[str, str]], *, private: bool) -> dict[str, Any]:
    obj = node(ctx, id_, field_name="id")
    return {"item": update_metadata(ctx.state, ctx.viewer, obj, items, private=private)}


def _delete(ctx: ExecContext, id_: str, keys: list[str], *, private: bool) -> dict[str, Any]:
    obj = node(ctx, id_, field_name="id")
    check_permission(ctx.viewer, obj)
    key = "privateMetadata" if private else "metadata"
    obj[key] = [item for item in obj.get(key, []) if item["key"] not in set(keys)]
    return {"item": obj}


@mutation("updateMetadata")
def update_public(ctx: ExecContext, id: str, input: list[dict[str, str]]) -> dict[str, Any]:  # noqa: A002
    return _update(ctx, id, input, private=False)


@mutation("updatePrivateMetadata")
def update_private(ctx: ExecContext, id: str, input: list[dict[str, str]]) -> dict[str, Any]:  # noqa: A002
    return _update(ctx, id, input, private=True)


@mutation("deleteMetadata")
def delete_public(ctx: ExecContext, id: str, keys: list[str]) -> dict[str, Any]:  # noqa: A002
    return _delete(ctx, id, keys, private=False)


@mutation("deletePrivateMetadata")
def delete_private(ctx: ExecContext, id: str, keys: list[str]) -> dict[str, Any]:  # noqa: A002
    return _delete(ctx, id, keys, private=True)
