"""How the schema is built. The federation capability makes it an Apollo Federation subgraph."""

from __future__ import annotations

import graphene


def build_federated_schema(*, query, mutation) -> graphene.Schema:
    return graphene.Schema(query=query, mutation=mutation, auto_camelcase=True)
