"""GraphQL documents kept as files: `graphql/saleor/*.graphql` (what we send to Saleor) and
`webhooks/*.graphql` (what we subscribe to). Fragments live in `graphql/saleor/fragments/*.graphql` and are
appended to a document only where it spreads them (transitively), so every document validates on its own.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from graphql import FragmentDefinitionNode, FragmentSpreadNode, parse, print_ast, visit
from graphql.language import Visitor

DOCUMENTS_DIR = Path(settings.BASE_DIR) / "graphql"
SALEOR_OPERATIONS_DIR = DOCUMENTS_DIR / "saleor"
FRAGMENTS_DIR = SALEOR_OPERATIONS_DIR / "fragments"
SUBSCRIPTIONS_DIR = Path(settings.BASE_DIR) / "webhooks"


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
        self.names.add(node.name.value)


def _spreads(node) -> set[str]:
    collector = _SpreadCollector()
    visit(node, collector)
    return collector.names


@lru_cache(maxsize=1)
def fragment_library() -> dict[str, FragmentDefinitionNode]:
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in sorted(FRAGMENTS_DIR.glob("*.graphql")):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    return fragments


def with_fragments(source: str) -> str:
    """Return `source` with the fragment definitions it needs appended (those it does not define itself)."""
    document = parse(source)
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    library = fragment_library()
    needed: dict[str, FragmentDefinitionNode] = {}
    pending = list(_spreads(document) - defined)
    while pending:
        name = pending.pop()
        if name in needed or name in defined:
            continue
        if name not in library:
            raise KeyError(f"Unknown fragment {name!r}")
        needed[name] = library[name]
        pending.extend(_spreads(library[name]) - set(needed) - defined)
    if not needed:
        return source.strip() + "\n"
    extra = "\n\n".join(print_ast(needed[name]) for name in sorted(needed))
    return source.strip() + "\n\n" + extra + "\n"


@cache
def saleor_operation(name: str) -> str:
    """The document `graphql/saleor/<name>.graphql`, with its fragments."""
    path = SALEOR_OPERATIONS_DIR / f"{name}.graphql"
    if not path.exists():
        raise KeyError(f"No Saleor operation named {name!r} in {SALEOR_OPERATIONS_DIR}")
    return with_fragments(path.read_text())


def saleor_operation_names() -> list[str]:
    return sorted(p.stem for p in SALEOR_OPERATIONS_DIR.glob("*.graphql"))


@cache
def subscription_documents() -> dict[str, str]:
    """{EVENT_NAME: subscription document} from `webhooks/<event_name>.graphql`."""
    return {
        path.stem.upper(): with_fragments(path.read_text())
        for path in sorted(SUBSCRIPTIONS_DIR.glob("*.graphql"))
    }
