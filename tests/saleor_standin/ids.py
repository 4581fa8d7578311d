"""Saleor global ids: base64 of "<Type>:<pk>" (graphene's relay ids, which Saleor uses everywhere)."""

from __future__ import annotations

import base64
import binascii


def to_global_id(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, str]:
    """Split a global id into (type name, pk); ValueError when it is not one."""
    try:
        raw = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, AttributeError) as exc:
        raise ValueError(f"Couldn't resolve id: {global_id}.") from exc
    type_name, sep, pk = raw.partition(":")
    if not sep or not type_name or not pk:
        raise ValueError(f"Couldn't resolve id: {global_id}.")
    return type_name, pk


def type_of(global_id: str) -> str | None:
    try:
        return from_global_id(global_id)[0]
    except ValueError:
        return None
