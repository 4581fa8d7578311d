"""Global ids in Saleor's format: base64("<Type>:<pk>")."""

from __future__ import annotations

import base64
import binascii


def to_global_id(type_name: str, pk: object) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, str]:
    """Return (type, pk); raise ValueError for anything that is not a global id."""
    try:
        decoded = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"Not a valid global id: {global_id!r}") from exc
    type_name, sep, pk = decoded.partition(":")
    if not sep or not type_name or not pk:
        raise ValueError(f"Not a valid global id: {global_id!r}")
    return type_name, pk
