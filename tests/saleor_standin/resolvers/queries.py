"""Root queries: what an app, a storefront customer or a staff user can read."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ..ids import type_of
from ..schema_exec import (
    SALEOR_VERSION,
    SCHEMA_VERSION,
    ExecContext,
    PermissionDenied,
    Unimplemented,
    federation_sdl,
    query,
)
from ..state import Obj
from .common import query_node
from .fields import connection, in_channel

PAGINATION = ("first", "after", "last", "before")


def _page(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args.get(k) for k in PAGINATION}


def _unsupported(name: str, given: dict[str, Any] | None, supported: set[str]) -> None:
    extra = sorted(k for k, v in (given or {}).items() if v is not None and k not in supported)
    if extra:
        raise Unimplemented(
            f"The Saleor stand-in does not filter {name} by {', '.join(extra)} (see tests/saleor_standin/README.md)."
        )


def can_see_order(ctx: ExecContext, order: Obj) -> bool:
    """MANAGE_ORDERS sees any order; a customer only their own (never drafts); anonymous nothing."""
    viewer = ctx.viewer
    if viewer.has_any("MANAGE_ORDERS") and viewer.kind != "anonymous":
        return True
    return viewer.user is not None and order["user"] is viewer.user and order["status"] != "DRAFT"


def can_see_user(ctx: ExecContext, user: Obj) -> bool:
    viewer = ctx.viewer
    if viewer.user is user:
        return True
    if user["isStaff"]:
        return viewer.has_any("MANAGE_STAFF")
    return viewer.has_any("MANAGE_USERS", "MANAGE_STAFF", "MANAGE_ORDERS")


# --- shop, me, app -------------------------------------------------------------------------------------------


@query("shop")
def shop(ctx: ExecContext) -> Obj:
    from urllib.parse import urlsplit

    parts = urlsplit(ctx.api_url)
    return {
        "__typename": "Shop",
        "id": "U2hvcDox",
        "name": "Saleor stand-in",
        "description": None,
        "version": SALEOR_VERSION,
        "schemaVersion": SCHEMA_VERSION,
        "domain": {
            "__typename": "Domain",
            "host": parts.netloc,
            "sslEnabled": parts.scheme == "https",
            "url": f"{parts.scheme}://{parts.netloc}",
        },
        "channelCurrencies": sorted({c["currencyCode"] for c in ctx.state.channels}),
        "defaultCountry": None,
        "languages": [],
        "phonePrefixes": [],
        "availableExternalAuthentications": [],
        "announcements": [],
        "availableTaxApps": [],
        "headerText": None,
        "fulfillmentAutoApprove": True,
        "fulfillmentAllowUnpaid": True,
        "allowStorefrontTraffic": True,
        "useLegacyShippingZoneStockAvailability": False,
        "preserveAllAddressFields": False,
        "passwordLoginMode": "ENABLED",
        "includeTaxesInPrices": True,
        "displayGrossPrices": True,
        "chargeTaxesOnShipping": True,
        "accountConfirmMergeMode": "MERGE",
        "enableAccountConfirmationByEmail": True,
        "allowLoginWithoutConfirmation": False,
        "metadata": [],
        "privateMetadata": [],
    }


@query("me")
def me(ctx: ExecContext) -> Obj | None:
    return ctx.viewer.user


@query("app")
def app(ctx: ExecContext, id: str | None = None) -> Obj | None:  # noqa: A002
    viewer = ctx.viewer
    if not viewer.is_staff_or_app:
        raise PermissionDenied(["AUTHENTICATED_STAFF_USER", "AUTHENTICATED_APP"])
    if id is None:
        return viewer.app
    target = query_node(ctx, id, "App")
    if target is not None and target is not viewer.app and not viewer.has_any("MANAGE_APPS"):
        raise PermissionDenied(["MANAGE_APPS"])
    return target


# --- orders --------------------------------------------------------------------------------------------------


@query("order")
def order(ctx: ExecContext, id: str | None = None, externalReference: str | None = None) -> Obj | None:  # noqa: A002, N803
    if externalReference is not None:
        if not ctx.viewer.has_any("MANAGE_ORDERS"):
            raise PermissionDenied(["MANAGE_ORDERS"])
        found = next((o for o in ctx.state.orders if o["externalReference"] == externalReference), None)
    else:
        found = query_node(ctx, id, "Order")
    return found if found is not None and can_see_order(ctx, found) else None


def _int_filter(value: int, spec: dict[str, Any] | None) -> bool:
    if not spec:
        return True
    if spec.get("eq") is not None and value != spec["eq"]:
        return False
    if spec.get("oneOf") is not None and value not in spec["oneOf"]:
        return False
    rng = spec.get("range") or {}
    return not (
        (rng.get("gte") is not None and value < rng["gte"])
        or (rng.get("lte") is not None and value > rng["lte"])
    )


def _eq_filter(value: Any, spec: dict[str, Any] | None) -> bool:
    if not spec:
        return True
    if spec.get("eq") is not None and value != spec["eq"]:
        return False
    return spec.get("oneOf") is None or value in spec["oneOf"]


def metadata_matches(obj: Obj, filters: list[dict[str, Any]] | None) -> bool:
    """`filter: {metadata: [{key, value}]}`: every entry must match; a missing value only needs the key."""
    values = {item["key"]: item["value"] for item in obj.get("metadata") or []}
    return all(
        f["key"] in values and (f.get("value") is None or values[f["key"]] == f["value"])
        for f in filters or []
    )


def metadata_where(obj: Obj, spec: dict[str, Any] | None) -> bool:
    """`where: {metadata: {key, value: {eq | oneOf}}}`."""
    if not spec:
        return True
    values = {item["key"]: item["value"] for item in obj.get("metadata") or []}
    return spec["key"] in values and _eq_filter(values[spec["key"]], spec.get("value"))


def _order_search(order: Obj, search: str) -> bool:
    needle = search.lower().strip()
    haystack = [
        order["number"],
        order["userEmail"] or "",
        order["id"],
        *(line["productSku"] or "" for line in order["lines"]),
        *(line["productName"] for line in order["lines"]),
    ]
    if order["user"]:
        haystack += [order["user"]["firstName"], order["user"]["lastName"]]
    return any(needle in str(h).lower() for h in haystack)


WHERE_ORDER_KEYS = {
    "metadata",
    "ids",
    "number",
    "userEmail",
    "user",
    "channelId",
    "status",
    "chargeStatus",
    "authorizeStatus",
    "AND",
    "OR",
}
FILTER_ORDER_KEYS = {
    "metadata",
    "created",
    "ids",
    "numbers",
    "customer",
    "search",
    "status",
    "channels",
    "chargeStatus",
    "authorizeStatus",
}


def _order_where(order: Obj, where: dict[str, Any]) -> bool:
    _unsupported("orders(where:)", where, WHERE_ORDER_KEYS)
    if where.get("ids") is not None and order["id"] not in where["ids"]:
        return False
    if not metadata_where(order, where.get("metadata")):
        return False
    if not _int_filter(int(order["number"]), where.get("number")):
        return False
    if not _eq_filter(order["userEmail"], where.get("userEmail")):
        return False
    if not _eq_filter(order["user"]["id"] if order["user"] else None, where.get("user")):
        return False
    if not _eq_filter(order["channel"]["id"], where.get("channelId")):
        return False
    if not _eq_filter(order["status"], where.get("status")):
        return False
    from ..state import authorize_status, charge_status

    if not _eq_filter(charge_status(order), where.get("chargeStatus")) or not _eq_filter(
        authorize_status(order), where.get("authorizeStatus")
    ):
        return False
    if where.get("AND") and not all(_order_where(order, w) for w in where["AND"]):
        return False
    return not (where.get("OR") and not any(_order_where(order, w) for w in where["OR"]))


def _order_filter(order: Obj, flt: dict[str, Any]) -> bool:
    from ..state import authorize_status, charge_status

    _unsupported("orders(filter:)", flt, FILTER_ORDER_KEYS)
    if flt.get("ids") is not None and order["id"] not in flt["ids"]:
        return False
    if not metadata_matches(order, flt.get("metadata")):
        return False
    created = flt.get("created") or {}
    if (created.get("gte") and order["created"].date() < created["gte"]) or (
        created.get("lte") and order["created"].date() > created["lte"]
    ):
        return False
    if flt.get("numbers") is not None and order["number"] not in flt["numbers"]:
        return False
    if (
        flt.get("customer")
        and flt["customer"].lower()
        not in f"{order['userEmail'] or ''} {(order['user'] or {}).get('firstName', '')} {(order['user'] or {}).get('lastName', '')}".lower()
    ):
        return False
    if flt.get("search") and not _order_search(order, flt["search"]):
        return False
    if flt.get("status") and order["status"] not in flt["status"]:
        return False
    if flt.get("channels") is not None and order["channel"]["id"] not in flt["channels"]:
        return False
    if flt.get("chargeStatus") and charge_status(order) not in flt["chargeStatus"]:
        return False
    return not (flt.get("authorizeStatus") and authorize_status(order) not in flt["authorizeStatus"])


ORDER_SORT_KEYS = {
    "NUMBER": lambda o: int(o["number"]),
    "CREATED_AT": lambda o: o["created"],
    "LAST_MODIFIED_AT": lambda o: o["updatedAt"],
    "CUSTOMER": lambda o: (o["userEmail"] or "").lower(),
    "STATUS": lambda o: o["status"],
}


def _orders(ctx: ExecContext, drafts: bool, args: dict[str, Any]) -> Obj:
    orders = [o for o in ctx.state.orders if (o["status"] == "DRAFT") == drafts]
    sort_by = args.get("sortBy") or {"field": "NUMBER", "direction": "DESC"}  # Saleor's default: newest first
    if sort_by["field"] not in ORDER_SORT_KEYS:
        raise Unimplemented(f"The Saleor stand-in does not sort orders by {sort_by['field']}.")
    orders.sort(key=ORDER_SORT_KEYS[sort_by["field"]], reverse=sort_by["direction"] == "DESC")
    if args.get("where"):
        orders = [o for o in orders if _order_where(o, args["where"])]
    if args.get("filter"):
        orders = [o for o in orders if _order_filter(o, args["filter"])]
    if args.get("channel"):
        orders = [o for o in orders if o["channel"]["slug"] == args["channel"]]
    if args.get("search"):
        orders = [o for o in orders if _order_search(o, args["search"])]
    return connection(orders, **_page(args), name="orders", node_type="Order")


@query("orders", permissions=["MANAGE_ORDERS"])
def orders(ctx: ExecContext, **args: Any) -> Obj:
    return _orders(ctx, False, args)


@query("draftOrders", permissions=["MANAGE_ORDERS"])
def draft_orders(ctx: ExecContext, **args: Any) -> Obj:
    return _orders(ctx, True, args)


@query("transaction", permissions=["HANDLE_PAYMENTS", "MANAGE_ORDERS"])
def transaction(ctx: ExecContext, id: str | None = None, token: str | None = None) -> Obj | None:  # noqa: A002
    if token is not None:
        return next((t for o in ctx.state.orders for t in o["transactions"] if t["token"] == token), None)
    return query_node(ctx, id, "TransactionItem")


# --- users ---------------------------------------------------------------------------------------------------


@query("user", permissions=["MANAGE_STAFF", "MANAGE_USERS", "MANAGE_ORDERS"])
def user(
    ctx: ExecContext, id: str | None = None, email: str | None = None, externalReference: str | None = None
) -> Obj | None:  # noqa: A002, N803
    if id is not None:
        found = query_node(ctx, id, "User")
    elif email is not None:
        found = ctx.state.user_by_email(email)
    elif externalReference is not None:
        found = next((u for u in ctx.state.users if u["externalReference"] == externalReference), None)
    else:
        raise GraphQLError("At least one of arguments is required: 'id', 'email', 'externalReference'.")
    return found if found is not None and can_see_user(ctx, found) else None


def _user_search(user: Obj, search: str) -> bool:
    needle = search.lower().strip()
    return any(needle in (user[k] or "").lower() for k in ("email", "firstName", "lastName"))


@query("customers", permissions=["MANAGE_ORDERS", "MANAGE_USERS"])
def customers(ctx: ExecContext, **args: Any) -> Obj:
    users = [u for u in ctx.state.users if not u["isStaff"]]
    flt, where = args.get("filter") or {}, args.get("where") or {}
    _unsupported("customers(filter:)", flt, {"ids", "search", "metadata"})
    _unsupported(
        "customers(where:)", where, {"ids", "email", "firstName", "lastName", "isActive", "metadata"}
    )
    users = [
        u
        for u in users
        if metadata_matches(u, flt.get("metadata")) and metadata_where(u, where.get("metadata"))
    ]
    _unsupported("customers", {k: v for k, v in args.items() if k == "sortBy"}, set())
    for ids in (flt.get("ids"), where.get("ids")):
        if ids is not None:
            users = [u for u in users if u["id"] in ids]
    for key in ("email", "firstName", "lastName"):
        if where.get(key):
            users = [u for u in users if _eq_filter(u[key], where[key])]
    if where.get("isActive") is not None:
        users = [u for u in users if u["isActive"] == where["isActive"]]
    for search in (args.get("search"), flt.get("search")):
        if search:
            users = [u for u in users if _user_search(u, search)]
    return connection(users, **_page(args), name="customers", node_type="User")


@query("staffUsers", permissions=["MANAGE_STAFF"])
def staff_users(ctx: ExecContext, **args: Any) -> Obj:
    users = [u for u in ctx.state.users if u["isStaff"]]
    return connection(users, **_page(args), name="staffUsers", node_type="User")


# --- channels and catalogue ------------------------------------------------------------------------------------


@query("channels", staff_or_app=True)
def channels(ctx: ExecContext) -> list[Obj]:
    return list(ctx.state.channels)


@query("channel")
def channel(ctx: ExecContext, id: str | None = None, slug: str | None = None) -> Obj | None:  # noqa: A002
    if id is not None:
        return query_node(ctx, id, "Channel")
    return next((c for c in ctx.state.channels if c["slug"] == slug), None)


@query("products")
def products(ctx: ExecContext, **args: Any) -> Obj:
    items = list(ctx.state.products)
    flt, where = args.get("filter") or {}, args.get("where") or {}
    _unsupported("products(filter:)", flt, {"ids", "search", "metadata"})
    items = [p for p in items if metadata_matches(p, flt.get("metadata"))]
    _unsupported("products(where:)", where, {"ids"})
    for ids in (flt.get("ids"), where.get("ids")):
        if ids is not None:
            items = [p for p in items if p["id"] in ids]
    for search in (args.get("search"), flt.get("search")):
        if search:
            items = [
                p
                for p in items
                if search.lower() in p["name"].lower()
                or any(search.lower() in (v["sku"] or "").lower() for v in p["variants"])
            ]
    return connection(items, **_page(args), name="products", node_type="Product")


@query("product")
def product(ctx: ExecContext, id: str | None = None, slug: str | None = None, **_: Any) -> Obj | None:  # noqa: A002
    if id is not None:
        return query_node(ctx, id, "Product")
    return next((p for p in ctx.state.products if p["slug"] == slug), None)


@query("productVariant")
def product_variant(ctx: ExecContext, id: str | None = None, sku: str | None = None, **_: Any) -> Obj | None:  # noqa: A002
    if id is not None:
        return query_node(ctx, id, "ProductVariant")
    return next((v for v in ctx.state.variants if v["sku"] == sku), None)


@query("productVariants")
def product_variants(ctx: ExecContext, ids: list[str] | None = None, **args: Any) -> Obj:
    items = [v for v in ctx.state.variants if ids is None or v["id"] in ids]
    return connection(items, **_page(args), name="productVariants", node_type="ProductVariant")


@query("category")
def category(ctx: ExecContext, id: str | None = None, slug: str | None = None, **_: Any) -> Obj | None:  # noqa: A002
    if id is not None:
        return query_node(ctx, id, "Category")
    return next((c for c in ctx.state.categories if c["slug"] == slug), None)


@query("productType")
def product_type(ctx: ExecContext, id: str) -> Obj | None:  # noqa: A002
    return query_node(ctx, id, "ProductType")


# --- gift cards and vouchers -------------------------------------------------------------------------------------


@query("giftCard", permissions=["MANAGE_GIFT_CARD"])
def gift_card(ctx: ExecContext, id: str) -> Obj | None:  # noqa: A002
    return query_node(ctx, id, "GiftCard")


@query("giftCards", permissions=["MANAGE_GIFT_CARD"])
def gift_cards(ctx: ExecContext, **args: Any) -> Obj:
    cards = list(reversed(ctx.state.gift_cards))
    flt = args.get("filter") or {}
    _unsupported(
        "giftCards(filter:)", flt, {"code", "tags", "isActive", "metadata", "currency", "createdByEmail"}
    )
    cards = [c for c in cards if metadata_matches(c, flt.get("metadata"))]
    if flt.get("currency"):
        cards = [c for c in cards if c["initialBalance"]["currency"] == flt["currency"]]
    if flt.get("createdByEmail"):
        cards = [c for c in cards if c["createdByEmail"] == flt["createdByEmail"]]
    if flt.get("code"):
        cards = [c for c in cards if c["code"] == flt["code"]]
    if flt.get("tags"):
        cards = [c for c in cards if {t["name"] for t in c["tags"]} & set(flt["tags"])]
    if flt.get("isActive") is not None:
        cards = [c for c in cards if c["isActive"] == flt["isActive"]]
    return connection(cards, **_page(args), name="giftCards", node_type="GiftCard")


@query("voucher", permissions=["MANAGE_DISCOUNTS"])
def voucher(ctx: ExecContext, id: str, channel: str | None = None) -> Obj | None:  # noqa: A002
    found = query_node(ctx, id, "Voucher")
    return in_channel(found, channel) if found else None


@query("vouchers", permissions=["MANAGE_DISCOUNTS"])
def vouchers(ctx: ExecContext, **args: Any) -> Obj:
    items = list(ctx.state.vouchers)
    flt = args.get("filter") or {}
    _unsupported("vouchers(filter:)", flt, {"search", "ids"})
    if flt.get("ids") is not None:
        items = [v for v in items if v["id"] in flt["ids"]]
    search = args.get("search") or flt.get("search")
    if search:
        items = [
            v
            for v in items
            if search.lower() in (v["name"] or "").lower()
            or any(search.lower() in c["code"].lower() for c in v["_codes"])
        ]
    return connection(
        [in_channel(v, args.get("channel")) for v in items],
        **_page(args),
        name="vouchers",
        node_type="Voucher",
    )


# --- federation ----------------------------------------------------------------------------------------------


def _entity(ctx: ExecContext, rep: dict[str, Any]) -> Obj | None:
    typename = rep.get("__typename")
    if typename == "Order":
        found = ctx.state.get(rep.get("id"), "Order")
        return (
            found
            if found is not None and ctx.viewer.kind != "anonymous" and can_see_order(ctx, found)
            else None
        )
    if typename == "User":
        found = (
            ctx.state.get(rep["id"], "User")
            if rep.get("id")
            else ctx.state.user_by_email(rep.get("email") or "")
        )
        return (
            found
            if found is not None and ctx.viewer.kind != "anonymous" and can_see_user(ctx, found)
            else None
        )
    if (
        typename in ("App", "ProductVariant", "Product", "ProductType", "Category")
        and type_of(rep.get("id", "")) == typename
    ):
        found = ctx.state.get(rep.get("id"), typename)
        if (
            typename == "App"
            and found is not None
            and found is not ctx.viewer.app
            and not ctx.viewer.has_any("MANAGE_APPS")
        ):
            return None
        return found
    raise Unimplemented(f"The Saleor stand-in does not resolve _entities of type {typename!r}.")


@query("_entities")
def entities(ctx: ExecContext, representations: list[Any]) -> list[Obj | None]:
    limit = ctx.state.settings.max_federation_entities
    if len(representations) > limit:
        raise GraphQLError(
            f"Federated query exceeded entity limit: {len(representations)} items requested over {limit}."
        )
    return [_entity(ctx, rep) for rep in representations]


@query("_service")
def service(_ctx: ExecContext) -> Obj:
    return {"__typename": "_Service", "sdl": federation_sdl()}
