"""Per-request GraphQL context: the authenticated requestor and the request's DataLoaders."""

from __future__ import annotations

from typing import Any

from ...installations.auth import Requestor


def get_requestor(info) -> Requestor:
    return info.context.requestor


def get_loader(info, loader_cls: type) -> Any:
    """One instance of each loader per request (so batching and caching never leak across requests)."""
    loaders = info.context.__dict__.setdefault("_dataloaders", {})
    if loader_cls not in loaders:
        loaders[loader_cls] = loader_cls(info.context)
    return loaders[loader_cls]
