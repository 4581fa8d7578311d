"""Fault injection for the stand-in's HTTP endpoints.

A fault matches a GraphQL request by root field name or operation name (or every request when `operation` is
None; use "jwks" for the JWKS endpoint). `when="before"` answers without executing anything; `when="after"` executes
the document (so a mutation *did* happen) and then fails the answer, which is how ambiguous outcomes are tested.

kinds: http500 / http502 / http503 (an error page, like a crashing Django or a proxy), timeout (sleep longer than
`timeout_seconds` and close the connection without an answer), slow (sleep `slow_seconds`, then answer normally),
drop (close the connection at once without an answer).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["http500", "http502", "http503", "timeout", "slow", "drop"]
When = Literal["before", "after"]
KINDS: tuple[str, ...] = ("http500", "http502", "http503", "timeout", "slow", "drop")


@dataclass
class Fault:
    operation: str | None
    kind: FaultKind
    times: int | None  # None: every matching request until cleared
    when: When
    hits: int = 0

    def matches(self, names: Iterable[str]) -> bool:
        return self.operation is None or self.operation in set(names)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


class FaultPlan:
    def __init__(self, timeout_seconds: float = 3.0, slow_seconds: float = 0.5):
        self.timeout_seconds = timeout_seconds
        self.slow_seconds = slow_seconds
        self._faults: list[Fault] = []
        self._global: FaultKind | None = None
        self._lock = threading.Lock()

    def add(
        self,
        operation: str | None = None,
        kind: FaultKind = "http500",
        times: int | None = 1,
        when: When = "before",
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {KINDS}")
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        fault = Fault(operation=operation, kind=kind, times=times, when=when)
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail_all(self, kind: FaultKind | None = "http500") -> None:
        """Every request fails with `kind` (before execution) until `fail_all(None)` or `clear()`."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        self._global = kind

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
        self._global = None

    def take(self, names: Iterable[str], when: When) -> Fault | None:
        """The fault to apply to this request at this point, counting the hit."""
        names = list(names)
        if self._global is not None and when == "before":
            return Fault(operation=None, kind=self._global, times=None, when="before", hits=1)
        with self._lock:
            for fault in self._faults:
                if fault.when == when and not fault.exhausted and fault.matches(names):
                    fault.hits += 1
                    return fault
        return None

    @property
    def faults(self) -> list[Fault]:
        return list(self._faults)
