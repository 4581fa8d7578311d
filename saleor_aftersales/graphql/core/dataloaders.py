"""Request-scoped DataLoaders (promise-based, like Saleor's)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from promise import Promise
from promise.dataloader import DataLoader as _DataLoader


class DataLoader(_DataLoader):
    def __init__(self, context):
        super().__init__()
        self.context = context

    def batch_load_fn(self, keys):
        return Promise.resolve(self.batch_load(list(keys)))

    def batch_load(self, keys: list) -> list:
        raise NotImplementedError


def by_key(rows: Iterable, keys: list, attr: str = "pk") -> list:
    index = {getattr(row, attr): row for row in rows}
    return [index.get(key) for key in keys]


def grouped(rows: Iterable, keys: list, attr: str) -> list[list]:
    groups: dict = defaultdict(list)
    for row in rows:
        groups[getattr(row, attr)].append(row)
    return [groups.get(key, []) for key in keys]
