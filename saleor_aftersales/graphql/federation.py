"""How the schema is built: an Apollo Federation subgraph composed with Saleor's graph.

Federation v2.3: the Guild composer (@theguild/federation-composition) composes our v2 subgraph
next to Saleor's v1 SDL (no @link). graphene-federation's default (v2.11) is newer than the
composer accepts (up to v2.9), and we only use @key, which v2.3 has. See docs/federation.md.
"""

from __future__ import annotations

import graphene
from graphene_federation import FederationVersion, build_schema

SUBGRAPH_FEDERATION_VERSION = FederationVersion.VERSION_2_3


def build_federated_schema(*, query, mutation) -> graphene.Schema:
    from .federation_entities.types import FEDERATED_TYPES

    return build_schema(
        query=query,
        mutation=mutation,
        types=FEDERATED_TYPES,
        federation_version=SUBGRAPH_FEDERATION_VERSION,
        auto_camelcase=True,
    )


def subgraph_sdl() -> str:
    """The SDL the gateway's composer sees: exactly what `_service { sdl }` answers."""
    from .api import schema

    result = schema.execute("{ _service { sdl } }")
    if result.errors:
        raise RuntimeError(f"_service {{ sdl }} failed: {result.errors}")
    return result.data["_service"]["sdl"]


if __name__ == "__main__":  # python -m saleor_aftersales.graphql.federation > aftersales-subgraph.graphql
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")
    django.setup()
    sys.stdout.write(subgraph_sdl())
