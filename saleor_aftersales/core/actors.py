"""Who did something: recorded with every state change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum


class ActorType(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    APP = "app"  # Saleor, or another app, through a webhook
    SYSTEM = "system"  # our scheduled tasks and automatic rules
    GUEST = "guest"  # a customer without an account (order number + email)


@dataclass(frozen=True)
class Actor:
    type: ActorType
    user_id: str = ""  # Saleor global User id where known
    email: str = ""
    name: str = ""
    permissions: frozenset[str] = field(default_factory=frozenset)
    # A guest's proof: the pk of the order whose number + email they gave (they act only on that order's rows).
    order_pk: int | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(type=ActorType.SYSTEM, name=name)

    @classmethod
    def saleor(cls) -> Actor:
        return cls(type=ActorType.APP, name="saleor")

    @property
    def is_staff(self) -> bool:
        return self.type == ActorType.STAFF

    def has_perm(self, permission: str) -> bool:
        return permission in self.permissions

    def as_record(self) -> dict:
        return {
            "actor_type": str(self.type),
            "actor_id": self.user_id,
            "actor_email": self.email,
            "actor_name": self.name,
        }


# Who is behind the current request or task, for writes that take no actor argument (configuration saved from a
# settings screen is audited by `audit.tracking` from model signals). `installations.auth.authenticate` sets it;
# every request and Celery task starts with it cleared, so it never outlives the request that set it.
current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = current_actor.set(actor)
    try:
        yield actor
    finally:
        current_actor.reset(token)
