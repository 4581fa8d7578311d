"""Our own types as Federation entities: `@key("id")` plus a reference resolver that keeps our access rules.

The gateway sends `{__typename, id}` (our global id) to `_entities`; the resolver loads the row through a
DataLoader that answers None for rows the requestor may not see, so `_entities` is as private as our
own queries and stays one query per type however many references arrive.
"""

from __future__ import annotations

from collections.abc import Callable

from ...core.ids import from_global_id
from .context import get_loader


def reference_resolver(type_name: str, loader_class) -> Callable:
    """A `_resolve_reference(entity, info)` for graphene-federation: loads `type_name`'s pk by loader_class."""

    def resolve(entity, info):
        try:
            kind, pk = from_global_id(str(entity.id))
            if kind != type_name:
                return None
            return get_loader(info, loader_class).load(int(pk))
        except ValueError:
            return None

    return resolve
