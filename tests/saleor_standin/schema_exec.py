"""Saleor's real schema executed by graphql-core over the stand-in's in-memory state.

- The schema is `build_schema(<shared>/saleor/schema.graphql)` with its custom scalars taught to (de)serialise
  Python values (Decimal, datetime, date, UUID).
- Resolvers live in a registry: `@query("order")`, `@mutation("orderNoteAdd", permissions=[...])` and
  `@field("Order", "totalCharged")`. Anything not registered falls back to the generic resolver: state objects are
  dicts shaped like the GraphQL type (with `__typename`), and a callable value is called with the field arguments.
- Interfaces and unions resolve by the object's `__typename`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    get_nullable_type,
)
from graphql.language import OperationDefinitionNode

from .tokens import AuthError

if TYPE_CHECKING:
    from .state import State

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = REPO_ROOT.parent / "shared"
SCHEMA_PATH = SHARED_DIR / "saleor" / "schema.graphql"
FEDERATION_SDL_PATH = SHARED_DIR / "saleor" / "federation-sdl.graphql"
SALEOR_VERSION = "3.24.0-a.0"
SCHEMA_VERSION = "3.24"


# --- scalars -----------------------------------------------------------------------------------------------


def _serialize_datetime(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"Invalid DateTime: {value!r}") from exc


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise GraphQLError(f"Invalid Date: {value!r}") from exc


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise GraphQLError(f"Invalid Decimal: {value!r}")
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise GraphQLError(f"Invalid Decimal: {value!r}") from exc
    if not result.is_finite():
        raise GraphQLError(f"Invalid Decimal: {value!r}")
    return result


def _parse_positive_decimal(value: Any) -> Decimal:
    result = _parse_decimal(value)
    if result < 0:
        raise GraphQLError(f"Value cannot be lower than 0. Unsupported value: {value}")
    return result


def _serialize_decimal(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _literal(parse_value: Callable[[Any], Any]) -> Callable[..., Any]:
    from graphql import value_from_ast_untyped

    def parse_literal(node: Any, variables: Any = None) -> Any:
        return parse_value(value_from_ast_untyped(node, variables))

    return parse_literal


def _parse_uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise GraphQLError(f"Invalid UUID: {value!r}") from exc


def _patch_scalars(schema: GraphQLSchema) -> None:
    def setup(name: str, serialize: Callable[[Any], Any], parse: Callable[[Any], Any] | None = None) -> None:
        scalar = schema.type_map.get(name)
        if scalar is None:
            return
        scalar.serialize = serialize  # type: ignore[attr-defined]
        if parse is not None:
            scalar.parse_value = parse  # type: ignore[attr-defined]
            scalar.parse_literal = _literal(parse)  # type: ignore[attr-defined]

    setup("DateTime", _serialize_datetime, _parse_datetime)
    setup("Date", _serialize_datetime, _parse_date)
    setup("Decimal", _serialize_decimal, _parse_decimal)
    setup("PositiveDecimal", _serialize_decimal, _parse_positive_decimal)
    setup("UUID", str, _parse_uuid)
    setup(
        "JSONString",
        lambda v: v if isinstance(v, str) else json.dumps(v),
        lambda v: json.loads(v) if isinstance(v, str) else v,
    )


@lru_cache(maxsize=1)
def saleor_schema() -> GraphQLSchema:
    """Saleor 3.24's schema (built once per process: it takes a couple of seconds)."""
    schema = build_schema(SCHEMA_PATH.read_text(), assume_valid_sdl=True)
    _patch_scalars(schema)
    return schema


@lru_cache(maxsize=1)
def federation_sdl() -> str:
    return FEDERATION_SDL_PATH.read_text()


def enum_values(name: str) -> list[str]:
    return list(saleor_schema().type_map[name].values)  # type: ignore[attr-defined]


# --- who is calling ----------------------------------------------------------------------------------------


@dataclass
class Viewer:
    """The requestor of one GraphQL execution (an API call, or the recipient app of a webhook payload)."""

    kind: Literal["app", "user", "anonymous"]
    app: dict[str, Any] | None = None
    user: dict[str, Any] | None = None
    permissions: frozenset[str] = frozenset()
    token_claims: dict[str, Any] | None = None
    auth_error: AuthError | None = None

    @classmethod
    def anonymous(cls, auth_error: AuthError | None = None) -> Viewer:
        return cls(kind="anonymous", auth_error=auth_error)

    @classmethod
    def for_app(cls, app: dict[str, Any]) -> Viewer:
        return cls(kind="app", app=app, permissions=frozenset(app["_permissions"]))

    @classmethod
    def for_user(
        cls, user: dict[str, Any], permissions: Iterable[str] | None = None, claims: dict | None = None
    ) -> Viewer:
        perms = frozenset(user["_permissions"] if permissions is None else permissions)
        return cls(kind="user", user=user, permissions=perms, token_claims=claims)

    @property
    def principal(self) -> dict[str, Any] | None:
        """The `issuingPrincipal` of events this viewer causes."""
        return self.app if self.kind == "app" else self.user

    @property
    def is_staff_or_app(self) -> bool:
        return self.kind == "app" or bool(self.user and self.user["isStaff"])

    def has_any(self, *permissions: str) -> bool:
        return not permissions or bool(self.permissions.intersection(permissions))


class PermissionDenied(Exception):
    def __init__(self, permissions: Iterable[str] | None = None, message: str | None = None):
        perms = list(permissions or [])
        if message is None:
            message = (
                f"To access this path, you need one of the following permissions: {', '.join(perms)}"
                if perms
                else "You do not have permission to perform this action"
            )
        super().__init__(message)
        self.permissions = perms


class Unimplemented(Exception):
    """A root field or argument the stand-in does not emulate (yet): add a resolver (see README.md)."""


def require(viewer: Viewer, *permissions: str) -> None:
    if viewer.auth_error is not None:
        raise viewer.auth_error
    if not viewer.has_any(*permissions):
        raise PermissionDenied(permissions)


@dataclass
class ExecContext:
    state: State
    viewer: Viewer
    api_url: str = "http://127.0.0.1/graphql/"
    # Work to run once the HTTP answer has been written (Saleor defers it to Celery), e.g. the payment app's refund.
    after_response: list[Callable[[], None]] = field(default_factory=list)
    unimplemented: list[str] = field(default_factory=list)


# --- registry ----------------------------------------------------------------------------------------------

Resolver = Callable[..., Any]


class Registry:
    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], Resolver] = {}

    def register(self, type_name: str, field_name: str, fn: Resolver) -> None:
        key = (type_name, field_name)
        if key in self.fields:
            raise ValueError(f"{type_name}.{field_name} is already registered")
        self.fields[key] = fn

    def lookup(self, type_names: Iterable[str], field_name: str) -> Resolver | None:
        for type_name in type_names:
            fn = self.fields.get((type_name, field_name))
            if fn is not None:
                return fn
        return None


REGISTRY = Registry()


def field(type_name: str, *field_names: str) -> Callable[[Resolver], Resolver]:
    """Register `fn(obj, info, **args)` for fields of a type (or of an interface: applies to its implementations)."""

    def decorator(fn: Resolver) -> Resolver:
        for name in field_names:
            REGISTRY.register(type_name, name, fn)
        return fn

    return decorator


def query(
    name: str, *, permissions: Iterable[str] = (), staff_or_app: bool = False
) -> Callable[[Resolver], Resolver]:
    """Register a root query `fn(ctx, **args)`; `permissions` are any-of, checked before the call."""
    perms = tuple(permissions)

    def decorator(fn: Resolver) -> Resolver:
        def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            ctx: ExecContext = info.context
            if ctx.viewer.auth_error is not None:
                raise ctx.viewer.auth_error
            if staff_or_app and not ctx.viewer.is_staff_or_app:
                raise PermissionDenied(["AUTHENTICATED_STAFF_USER", "AUTHENTICATED_APP"])
            require(ctx.viewer, *perms)
            return fn(ctx, **args)

        REGISTRY.register("Query", name, resolve)
        return fn

    return decorator


class MutationErrors(Exception):
    """Business errors of a mutation: become its `errors { field code message }` list, not a GraphQL error."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(f"{e.get('field')}: {e.get('code')} {e.get('message')}" for e in errors))
        self.errors = errors


def error(field_name: str | None, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message, **extra}


def mutation(name: str, *, permissions: Iterable[str] = ()) -> Callable[[Resolver], Resolver]:
    """Register a mutation `fn(ctx, **args) -> payload dict`. Raise MutationErrors for `errors`; the deprecated
    twins of `errors` (orderErrors, giftCardErrors...) are filled in automatically."""
    perms = tuple(permissions)

    def decorator(fn: Resolver) -> Resolver:
        def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            ctx: ExecContext = info.context
            require(ctx.viewer, *perms)
            try:
                payload = dict(fn(ctx, **args) or {})
                payload.setdefault("errors", [])
            except MutationErrors as exc:
                payload = {"errors": exc.errors}
            payload_type = get_nullable_type(info.return_type)
            for alias, fdef in payload_type.fields.items():  # type: ignore[union-attr]
                if (
                    alias != "errors"
                    and alias.endswith("Errors")
                    and str(fdef.type) == str(payload_type.fields["errors"].type)
                ):  # type: ignore[union-attr]
                    payload.setdefault(alias, payload["errors"])
            return payload

        REGISTRY.register("Mutation", name, resolve)
        return fn

    return decorator


# --- field-level permissions, read from the schema's own descriptions ----------------------------------------

ROOT_TYPES = ("Query", "Mutation", "Subscription")
_RULE_RE = re.compile(r"Requires (?:one|of) of the following permissions:? ((?:[A-Z_]+(?:, )?)+)")

# Who counts as OWNER of an object, per type.
OWNER_CHECKS: dict[str, Callable[[Viewer, Any], bool]] = {
    "Order": lambda v, o: v.user is not None and o.get("user") is v.user,
    "User": lambda v, o: v.user is not None and v.user is o,
    "App": lambda v, o: v.app is not None and v.app is o,
    "GiftCard": lambda v, o: (
        (v.user is not None and v.user in (o.get("createdBy"), o.get("usedBy")))
        or (v.app is not None and o.get("app") is v.app)
    ),
    "OrderGrantedRefund": lambda v, o: v.user is not None and o.get("user") is v.user,
}


@lru_cache(maxsize=1)
def field_permission_rules() -> dict[tuple[str, str], tuple[str, ...]]:
    """(type, field) -> any-of permission tokens, from "Requires one of the following permissions: ..." in the SDL.

    Conditional phrasings ("to include the unpublished items", "for other orders requires") are not hard rules.
    """
    rules: dict[tuple[str, str], tuple[str, ...]] = {}
    for type_name, gql_type in saleor_schema().type_map.items():
        if type_name in ROOT_TYPES or type_name.startswith("__") or not hasattr(gql_type, "fields"):
            continue
        for field_name, fdef in gql_type.fields.items():  # type: ignore[union-attr]
            description = fdef.description or ""
            if "unpublished" in description or "for other orders" in description:
                continue
            match = _RULE_RE.search(description)
            if match:
                rules[(type_name, field_name)] = tuple(
                    t.strip() for t in match.group(1).split(",") if t.strip()
                )
    return rules


def enforce_field_rule(rule: tuple[str, ...], viewer: Viewer, type_name: str, obj: Any) -> None:
    if viewer.auth_error is not None:
        raise viewer.auth_error
    for token in rule:
        if token == "AUTHENTICATED_APP" and viewer.kind == "app":
            return
        if token == "AUTHENTICATED_STAFF_USER" and viewer.user is not None and viewer.user["isStaff"]:
            return
        if token == "OWNER" and OWNER_CHECKS.get(type_name, lambda _v, _o: False)(viewer, obj):
            return
        if token in viewer.permissions:
            return
    raise PermissionDenied(rule)


# --- generic resolution ------------------------------------------------------------------------------------

_MISSING = object()


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    parent = info.parent_type
    if parent.name not in ROOT_TYPES:
        rule = field_permission_rules().get((parent.name, info.field_name))
        if rule is not None:
            enforce_field_rule(rule, info.context.viewer, parent.name, source)
    type_names = [parent.name, *(iface.name for iface in getattr(parent, "interfaces", []))]
    fn = REGISTRY.lookup(type_names, info.field_name)
    if fn is not None:
        return fn(source, info, **args)
    if parent.name in ("Query", "Mutation"):
        info.context.unimplemented.append(f"{parent.name}.{info.field_name}")
        raise Unimplemented(
            f"The Saleor stand-in does not implement {parent.name}.{info.field_name} (see tests/saleor_standin/README.md)."
        )
    if parent.name == "Subscription":
        return _resolve_subscription_root(source, info, **args)
    value = (
        source.get(info.field_name, _MISSING)
        if isinstance(source, dict)
        else getattr(source, info.field_name, _MISSING)
    )
    if callable(value):
        return value(info, **args)
    if value is _MISSING:
        # An absent list is an empty list (metadata, events...); any other absent value is null, and a non-null
        # field then fails loudly, which shows what the stand-in's state lacks.
        return_type = info.return_type
        if isinstance(return_type, GraphQLNonNull) and isinstance(return_type.of_type, GraphQLList):
            return []
        return None
    return value


def _resolve_subscription_root(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    event = (root or {}).get("event")
    if info.field_name == "event":
        return event
    # Filterable top-level subscriptions (e.g. `orderCreated(channels: [...])`): the event if its type matches.
    if event is None or get_nullable_type(info.return_type).name != event["__typename"]:  # type: ignore[union-attr]
        return None
    channels = args.get("channels")
    if channels:
        order = event.get("order") or {}
        channel = (order.get("channel") or {}).get("slug")
        if channel not in channels:
            return None
    return event


def resolve_type(value: Any, _info: GraphQLResolveInfo, _abstract_type: Any) -> str | None:
    return value.get("__typename") if isinstance(value, dict) else None


def run(
    document: DocumentNode,
    ctx: ExecContext,
    *,
    variables: dict | None = None,
    operation_name: str | None = None,
    root_value: Any = None,
) -> ExecutionResult:
    """Execute an already validated document."""
    return execute(
        saleor_schema(),
        document,
        root_value=root_value,
        context_value=ctx,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=resolve_field,
        type_resolver=resolve_type,
    )


def format_error(err: GraphQLError) -> dict[str, Any]:
    """Like Saleor's error format: message, locations, path and `extensions.exception.code`."""
    formatted: dict[str, Any] = err.formatted  # type: ignore[assignment]
    original = err.original_error
    code = getattr(original, "code", None) if isinstance(original, AuthError) else None
    if code is None:
        code = type(original).__name__ if original is not None else "GraphQLError"
    extensions = dict(formatted.get("extensions") or {})
    extensions["exception"] = {"code": code}
    formatted["extensions"] = extensions
    return formatted


def operation_of(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((op for op in operations if op.name and op.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def root_field_names(document: DocumentNode, operation_name: str | None) -> list[str]:
    """Names (not aliases) of the top-level fields of the operation, following fragment spreads."""
    from graphql.language import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode

    op = operation_of(document, operation_name)
    if op is None:
        return []
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[str] = []

    def walk(selection_set: Any) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                if sel.name.value not in names:
                    names.append(sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
                walk(fragments[sel.name.value].selection_set)

    walk(op.selection_set)
    return names
