"""Installing an app like Saleor does (protocol doc §1-§2).

1. GET the manifest with `Saleor-Schema-Version: 3.24`, redirects not followed;
2. validate it (required fields, permissions, webhook subscriptions against the schema, extensions...);
3. create the App, its token and its webhooks (events inferred from the subscription when none are listed);
4. POST `{"auth_token": ...}` to `tokenTargetUrl`; an HTTP error (>= 400) or a connection error deletes the app and
   fails the installation with the `error.message` of the answer. Like Saleor (`raise_for_status`), a 3xx counts as
   success: `InstalledApp.register_status` shows what the app answered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from graphql import GraphQLError, parse, validate
from graphql.language import OperationDefinitionNode, OperationType

from .schema_exec import SALEOR_VERSION, SCHEMA_VERSION, enum_values, saleor_schema
from .state import Obj, metadata_items, permission_obj
from .webhooks import USER_AGENT, events_in_subscription

if TYPE_CHECKING:
    from .server import SaleorStandIn

# Dashboard mounts (saleor-dashboard app-extension-manifest-available-mounts.ts, plus the 3.23 additions).
EXTENSION_MOUNTS = {
    *(f"{entity}_{suffix}" for entity in ("PRODUCT", "CUSTOMER", "GIFT_CARD", "VOUCHER", "COLLECTION") for suffix in ("OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS", "DETAILS_MORE_ACTIONS", "DETAILS_WIDGETS")),
    *(f"{entity}_{suffix}" for entity in ("CATEGORY", "DISCOUNT", "MENU", "PAGE", "PAGE_TYPE") for suffix in ("OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS", "DETAILS_MORE_ACTIONS")),
    "ORDER_DETAILS_MORE_ACTIONS", "ORDER_OVERVIEW_CREATE", "ORDER_DETAILS_WIDGETS", "ORDER_OVERVIEW_MORE_ACTIONS",
    "DRAFT_ORDER_DETAILS_WIDGETS", "DRAFT_ORDER_DETAILS_MORE_ACTIONS", "DRAFT_ORDER_OVERVIEW_CREATE", "DRAFT_ORDER_OVERVIEW_MORE_ACTIONS",
    "NAVIGATION_CATALOG", "NAVIGATION_ORDERS", "NAVIGATION_CUSTOMERS", "NAVIGATION_DISCOUNTS", "NAVIGATION_TRANSLATIONS", "NAVIGATION_PAGES",
    "HOMEPAGE_WIDGETS", "SEARCH_ACTION",
}  # fmt: skip
EXTENSION_TARGETS = {"POPUP", "APP_PAGE", "NEW_TAB", "WIDGET"}
WEBHOOK_SCHEMES = {"http", "https", "awssqs", "gcpubsub"}


class InstallError(Exception):
    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message if not errors else f"{message}: {errors}")
        self.message = message
        self.errors = errors or []


@dataclass
class InstalledApp:
    id: str
    token: str
    identifier: str
    name: str
    permissions: list[str]
    webhooks: list[Obj]
    manifest: dict[str, Any]
    app: Obj
    register_status: int | None = None
    register_response: Any = None
    extensions: list[Obj] = field(default_factory=list)


def _err(field_name: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message}


# --- npm-style version ranges (`requiredSaleorVersion`) ----------------------------------------------------------

_COMPARATOR = re.compile(
    r"(>=|<=|>|<|=|\^|~)?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?"
)


def _bump(parts: list[int | None]) -> tuple[int, int, int]:
    major, minor, _ = parts
    return (major + 1, 0, 0) if minor is None else (major, minor + 1, 0)  # type: ignore[operator]


def _comparator_ok(version: tuple[int, int, int], op: str, parts: list[int | None]) -> bool:
    if parts[0] is None:
        return True
    low = tuple(p or 0 for p in parts)
    partial = parts[2] is None
    if op in ("", "="):
        return low <= version < _bump(parts) if partial else version == low
    if op == ">=":
        return version >= low
    if op == ">":
        return version >= _bump(parts) if partial else version > low
    if op == "<":
        return version < low
    if op == "<=":
        return version < _bump(parts) if partial else version <= low
    if op == "~":
        return low <= version < _bump([parts[0], parts[1] if parts[1] is not None else None, None])
    if op == "^":
        if parts[0]:
            return low <= version < (parts[0] + 1, 0, 0)
        return low <= version < _bump([parts[0], parts[1] or 0, None])
    return False


def version_satisfies(version: str, spec: str) -> bool:
    """Saleor's pre-release suffix ("-a.0") is ignored: 3.24.0-a.0 satisfies ">=3.20"."""
    core = tuple(int(x) for x in version.split("-")[0].split(".")[:3])
    for alternative in spec.split("||"):
        alternative = re.sub(r"(\S+)\s+-\s+(\S+)", r">=\1 <=\2", alternative.strip())
        comparators = _COMPARATOR.findall(alternative)
        if not comparators and alternative.strip() not in ("", "*"):
            raise ValueError(spec)
        ok = True
        for op, *nums in comparators:
            parts = [None if n in ("", "x", "X", "*") else int(n) for n in nums]
            if not _comparator_ok(core, op, parts):  # type: ignore[arg-type]
                ok = False
        if ok:
            return True
    return False


# --- manifest validation ------------------------------------------------------------------------------------------


def validate_webhook(index: int, webhook: dict[str, Any]) -> tuple[list[dict[str, Any]], Any, list[str]]:
    errors = []
    field_name = f"webhooks[{index}]"
    for key in ("name", "targetUrl", "query"):
        if not webhook.get(key):
            errors.append(_err(f"{field_name}.{key}", "REQUIRED", f"Field required: {key}."))
    target = webhook.get("targetUrl") or ""
    if target and urlsplit(target).scheme not in WEBHOOK_SCHEMES:
        errors.append(
            _err(f"{field_name}.targetUrl", "INVALID_URL_FORMAT", f"Invalid target url scheme: {target}.")
        )
    headers = webhook.get("customHeaders") or {}
    if len(headers) > 5:
        errors.append(
            _err(
                f"{field_name}.customHeaders",
                "INVALID_CUSTOM_HEADERS",
                "Number of headers exceeds the limit of 5.",
            )
        )
    for key, value in headers.items():
        if not (key.lower().startswith("x-") or key.lower().startswith("authorization")):
            errors.append(
                _err(
                    f"{field_name}.customHeaders",
                    "INVALID_CUSTOM_HEADERS",
                    f'"{key}" does not match allowed key pattern: "X-*" or "Authorization*".',
                )
            )
        if len(str(value)) > 998:
            errors.append(
                _err(
                    f"{field_name}.customHeaders",
                    "INVALID_CUSTOM_HEADERS",
                    f'Header "{key}" value is too long.',
                )
            )
    document = None
    query = webhook.get("query")
    if query:
        try:
            document = parse(query)
        except GraphQLError as exc:
            errors.append(
                _err(f"{field_name}.query", "INVALID", f"Subscription query is not valid: {exc.message}")
            )
        if document is not None:
            problems = validate(saleor_schema(), document)
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if problems:
                errors.append(
                    _err(
                        f"{field_name}.query",
                        "INVALID",
                        "Subscription query is not valid: " + "; ".join(p.message for p in problems),
                    )
                )
            elif len(operations) != 1 or operations[0].operation != OperationType.SUBSCRIPTION:
                errors.append(
                    _err(f"{field_name}.query", "INVALID", "Subscription operation can't be found.")
                )
    async_events = list(webhook.get("asyncEvents") or [])
    sync_events = list(webhook.get("syncEvents") or [])
    bad = [e for e in async_events if e not in enum_values("WebhookEventTypeAsyncEnum")] + [
        e for e in sync_events if e not in enum_values("WebhookEventTypeSyncEnum")
    ]
    if bad:
        errors.append(_err(f"{field_name}.events", "INVALID", f"Invalid webhook events: {bad}."))
    events = async_events + sync_events
    if not events and document is not None and not errors:
        events = events_in_subscription(document)
        if not events:
            errors.append(
                _err(f"{field_name}.query", "INVALID", "Can't find any event in the subscription query.")
            )
    return errors, document, events


def validate_manifest(manifest: Any) -> list[dict[str, Any]]:
    """Saleor's manifest rules; an empty list means valid."""
    if not isinstance(manifest, dict):
        return [_err(None, "INVALID_MANIFEST_FORMAT", "The manifest is not a JSON object.")]
    errors = [
        _err(key, "REQUIRED", f"Field required: {key}.")
        for key in ("id", "version", "name")
        if not manifest.get(key)
    ]
    permissions = manifest.get("permissions") or []
    known = set(enum_values("PermissionEnum"))
    for perm in permissions:
        if perm not in known:
            errors.append(
                _err("permissions", "INVALID_PERMISSION", f"Given permission {perm} doesn't exist.")
            )
        elif perm == "MANAGE_APPS":
            errors.append(
                _err("permissions", "OUT_OF_SCOPE_PERMISSION", "The app can't have MANAGE_APPS permission.")
            )
    if manifest.get("author") is not None and not str(manifest["author"]).strip():
        errors.append(_err("author", "INVALID", '"author" cannot be blank.'))
    required = manifest.get("requiredSaleorVersion")
    if required:
        try:
            if not version_satisfies(SALEOR_VERSION, required):
                errors.append(
                    _err(
                        "requiredSaleorVersion",
                        "UNSUPPORTED_SALEOR_VERSION",
                        f"Saleor version {SALEOR_VERSION} does not meet {required}.",
                    )
                )
        except ValueError:
            errors.append(
                _err(
                    "requiredSaleorVersion",
                    "INVALID",
                    f"Incorrect value for required Saleor version: {required}.",
                )
            )
    identifiers: set[str] = set()
    for index, ext in enumerate(manifest.get("extensions") or []):
        field_name = f"extensions[{index}]"
        for key in ("label", "url", "mount"):
            if not ext.get(key):
                errors.append(_err(f"{field_name}.{key}", "REQUIRED", f"Field required: {key}."))
        mount = str(ext.get("mount") or "").upper()
        target = str(ext.get("target") or "POPUP").upper()
        if mount and mount not in EXTENSION_MOUNTS:
            errors.append(_err(f"{field_name}.mount", "INVALID", f"Incorrect mount: {ext.get('mount')}."))
        if target not in EXTENSION_TARGETS:
            errors.append(_err(f"{field_name}.target", "INVALID", f"Incorrect target: {ext.get('target')}."))
        elif target == "WIDGET" and not (mount.endswith("_DETAILS_WIDGETS") or mount == "HOMEPAGE_WIDGETS"):
            errors.append(
                _err(f"{field_name}.target", "INVALID", f"WIDGET target is not available for mount {mount}.")
            )
        missing = [p for p in ext.get("permissions") or [] if p not in permissions]
        if missing:
            errors.append(
                _err(
                    f"{field_name}.permissions",
                    "OUT_OF_SCOPE_PERMISSION",
                    f"Extension permissions {missing} are not in the app's permissions.",
                )
            )
        url = str(ext.get("url") or "")
        if url.startswith("/") and not manifest.get("appUrl"):
            errors.append(
                _err(
                    f"{field_name}.url",
                    "INVALID_URL_FORMAT",
                    "Incorrect relation between extension's target and URL fields. APP_PAGE can be used only with relative URL.",
                )
            )
        elif url and not url.startswith(("/", "http://", "https://")):
            errors.append(_err(f"{field_name}.url", "INVALID_URL_FORMAT", f"Invalid extension url: {url}."))
        identifier = ext.get("identifier")
        if identifier is not None:
            if len(identifier) > 256:
                errors.append(
                    _err(
                        f"{field_name}.identifier",
                        "INVALID",
                        "Extension identifier is longer than 256 characters.",
                    )
                )
            if identifier in identifiers:
                errors.append(
                    _err(
                        f"{field_name}.identifier",
                        "DUPLICATED_EXTENSION_IDENTIFIER",
                        f"Duplicated extension identifier {identifier}.",
                    )
                )
            identifiers.add(identifier)
    webhook_ids: set[str] = set()
    for index, webhook in enumerate(manifest.get("webhooks") or []):
        webhook_errors, _, _ = validate_webhook(index, webhook)
        errors.extend(webhook_errors)
        identifier = webhook.get("identifier")
        if identifier is not None:
            if identifier in webhook_ids:
                errors.append(
                    _err(
                        f"webhooks[{index}].identifier",
                        "DUPLICATED_WEBHOOK_IDENTIFIER",
                        f"Duplicated webhook identifier {identifier}.",
                    )
                )
            webhook_ids.add(identifier)
    return errors


# --- the installation ----------------------------------------------------------------------------------------------


def fetch_manifest(manifest_url: str, timeout: httpx.Timeout) -> dict[str, Any]:
    try:
        response = httpx.get(
            manifest_url,
            headers={"User-Agent": USER_AGENT, "Saleor-Schema-Version": SCHEMA_VERSION},
            follow_redirects=False,
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise InstallError(
            f"Can't connect to the manifest URL: {exc!r}",
            [_err("manifestUrl", "MANIFEST_URL_CANT_CONNECT", str(exc))],
        ) from exc
    if response.status_code != 200:
        # A redirect (e.g. Django's APPEND_SLASH 301) is not followed: there is no manifest in a 3xx answer.
        raise InstallError(
            f"Can't fetch the manifest: HTTP {response.status_code}",
            [_err("manifestUrl", "INVALID_MANIFEST_FORMAT", f"HTTP {response.status_code}")],
        )
    try:
        return response.json()
    except ValueError as exc:
        raise InstallError(
            "Incorrect structure of manifest.", [_err("manifestUrl", "INVALID_MANIFEST_FORMAT", "Not JSON")]
        ) from exc


def _webhook_obj(standin: SaleorStandIn, app: Obj, index: int, spec: dict[str, Any]) -> Obj:
    _, document, events = validate_webhook(index, spec)
    async_known = set(enum_values("WebhookEventTypeAsyncEnum"))
    webhook: Obj = {
        "__typename": "Webhook",
        "id": standin.state.new_gid("Webhook"),
        "name": spec["name"],
        "identifier": spec.get("identifier"),
        "targetUrl": spec["targetUrl"],
        "isActive": spec.get("isActive", True),
        "subscriptionQuery": spec["query"],
        "customHeaders": json.dumps(spec.get("customHeaders") or {}),
        "secretKey": None,
        "app": app,
        "asyncEvents": [
            {"__typename": "WebhookEventAsync", "eventType": e, "name": e.replace("_", " ").capitalize()}
            for e in events
            if e in async_known
        ],
        "syncEvents": [
            {"__typename": "WebhookEventSync", "eventType": e, "name": e.replace("_", " ").capitalize()}
            for e in events
            if e not in async_known
        ],
        "_events": events,
        "_document": document,
        "_custom_headers": dict(spec.get("customHeaders") or {}),
    }
    standin.state.objects[webhook["id"]] = webhook
    return webhook


def _extension_obj(standin: SaleorStandIn, app: Obj, spec: dict[str, Any]) -> Obj:
    ext: Obj = {
        "__typename": "AppExtension",
        "id": standin.state.new_gid("AppExtension"),
        "label": spec["label"],
        "url": spec["url"],
        "mountName": str(spec["mount"]).upper(),
        "targetName": str(spec.get("target") or "POPUP").upper(),
        "settings": spec.get("options") or {},
        "identifier": spec.get("identifier"),
        "permissions": [permission_obj(p) for p in spec.get("permissions") or []],
        "app": app,
        "accessToken": None,
    }
    standin.state.objects[ext["id"]] = ext
    return ext


def install_app(
    standin: SaleorStandIn,
    manifest_url: str,
    permissions: list[str] | None = None,
    *,
    reinstall: bool = False,
) -> InstalledApp:
    timeout = httpx.Timeout(18.0, connect=2.0)
    manifest = fetch_manifest(manifest_url, timeout)
    errors = validate_manifest(manifest)
    granted = list(manifest.get("permissions") or []) if permissions is None else list(permissions)
    bad_grants = [p for p in granted if p not in set(enum_values("PermissionEnum")) or p == "MANAGE_APPS"]
    if bad_grants:
        errors.append(_err("permissions", "OUT_OF_SCOPE_PERMISSION", f"Can't grant {bad_grants}."))
    if errors:
        raise InstallError("The manifest is invalid", errors)

    state = standin.state
    with state.lock:
        existing = [a for a in state.apps if a["identifier"] == manifest["id"] and not a["_removed"]]
    if existing and not reinstall:
        raise InstallError(
            "App with the same identifier is already installed",
            [_err("identifier", "UNIQUE", "App with the same identifier is already installed.")],
        )
    for old in existing:
        standin.uninstall_app(old)

    brand = (manifest.get("brand") or {}).get("logo") or {}
    with state.lock:
        app, token = state.new_app(
            manifest["name"],
            identifier=manifest["id"],
            permissions=granted,
            aboutApp=manifest.get("about"),
            appUrl=manifest.get("appUrl"),
            manifestUrl=manifest_url,
            version=manifest.get("version"),
            author=manifest.get("author"),
            homepageUrl=manifest.get("homepageUrl"),
            supportUrl=manifest.get("supportUrl"),
            dataPrivacyUrl=manifest.get("dataPrivacyUrl"),
            brand={
                "__typename": "AppBrand",
                "logo": {"__typename": "AppBrandLogo", "default": brand.get("default")},
            }
            if brand
            else None,
            metadata=metadata_items({}),
            _audience=manifest.get("audience"),
            _manifest=manifest,
        )
        app["webhooks"] = [
            _webhook_obj(standin, app, i, spec) for i, spec in enumerate(manifest.get("webhooks") or [])
        ]
        app["extensions"] = [_extension_obj(standin, app, spec) for spec in manifest.get("extensions") or []]

    status, body = None, None
    target = manifest.get("tokenTargetUrl")
    if target:
        status, body = _send_token(standin, app, token, target, timeout)
    return InstalledApp(
        id=app["id"],
        token=token,
        identifier=manifest["id"],
        name=manifest["name"],
        permissions=granted,
        webhooks=app["webhooks"],
        manifest=manifest,
        app=app,
        register_status=status,
        register_response=body,
        extensions=app["extensions"],
    )


def _send_token(
    standin: SaleorStandIn, app: Obj, token: str, target: str, timeout: httpx.Timeout
) -> tuple[int, Any]:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        "Accept": "*/*",
        "Connection": "keep-alive",
        "Content-Type": "application/json",
        "X-Saleor-Domain": standin.domain,
        "Saleor-Domain": standin.domain,
        "Saleor-Api-Url": standin.api_url,
        "Saleor-Schema-Version": SCHEMA_VERSION,
    }
    # Not under the state lock: the app calls back (`{ app { id } }`, the JWKS) before it answers.
    try:
        response = httpx.post(
            target,
            content=json.dumps({"auth_token": token}).encode(),
            headers=headers,
            follow_redirects=False,
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        standin.discard_app(app)
        raise InstallError(
            f"Failed to connect to app. Try later or contact with app support. ({exc!r})"
        ) from exc
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        standin.discard_app(app)
        message = (
            body.get("error", {}).get("message")
            if isinstance(body, dict) and isinstance(body.get("error"), dict)
            else None
        )
        raise InstallError(message or f"App responded with HTTP {response.status_code}")
    return response.status_code, body
