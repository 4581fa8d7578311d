"""Installing an app the way Saleor does: manifest GET, validation, register POST."""

from __future__ import annotations

import json

import pytest

from tests.saleor_standin import InstallError
from tests.saleor_standin.install import validate_manifest, version_satisfies
from tests.saleor_standin.schema_exec import SHARED_DIR

CLIENT_HEADERS = {"content-length", "host", "accept", "accept-encoding", "connection"}
SUBSCRIPTION = "subscription { event { ... on OrderCreated { order { id } } } }"


def register_sample() -> dict:
    requests = json.loads((SHARED_DIR / "saleor" / "samples" / "captured-requests.json").read_text())
    return next(r for r in requests if r["path"] == "/api/register")


def test_install_fetches_the_manifest_and_posts_the_token_like_saleor(saleor, app_receiver):
    app_receiver.make_manifest({"ORDER_CREATED": SUBSCRIPTION})
    app = saleor.install_app(app_receiver.url("/manifest"))

    manifest_get = app_receiver.requests[0]
    assert (manifest_get.method, manifest_get.path) == ("GET", "/manifest")
    assert (
        manifest_get.headers["Saleor-Schema-Version"] == "3.24"
        and manifest_get.headers["User-Agent"] == "Saleor/3.24"
    )
    (register,) = app_receiver.received("/register")
    sample = register_sample()
    assert {h for h in register.headers if h.lower() not in CLIENT_HEADERS} == {
        h for h in sample["headers"] if h.lower() not in CLIENT_HEADERS
    }
    assert register.body == json.dumps({"auth_token": app.token}).encode()
    assert (
        register.headers["Saleor-Api-Url"],
        register.headers["Saleor-Domain"],
        register.headers["X-Saleor-Domain"],
    ) == (saleor.api_url, saleor.domain, saleor.domain)
    assert app.register_status == 200 and app_receiver.tokens == [app.token]
    assert base64_type(app.id) == "App"
    assert (
        app.webhooks[0]["_events"] == ["ORDER_CREATED"]
        and app.permissions == app_receiver.manifest["permissions"]
    )
    assert saleor.query("{ app { id } }", token=app.token)["data"]["app"]["id"] == app.id


def base64_type(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":")[0]


def test_installer_grants_the_permissions(saleor, app_receiver):
    app_receiver.make_manifest({})
    app = saleor.install_app(app_receiver.url("/manifest"), permissions=["MANAGE_ORDERS"])
    assert app.permissions == ["MANAGE_ORDERS"]
    assert saleor.query("{ app { permissions { code } } }", token=app.token)["data"]["app"][
        "permissions"
    ] == [{"code": "MANAGE_ORDERS"}]


def test_redirecting_manifest_fails(saleor, app_receiver):
    app_receiver.make_manifest({})
    app_receiver.manifest_redirect = app_receiver.url("/manifest/")
    with pytest.raises(InstallError, match="HTTP 301"):
        saleor.install_app(app_receiver.url("/manifest"))
    assert saleor.installed_apps() == [] and not app_receiver.received("/register")


def test_register_error_fails_the_install_with_the_apps_message(saleor, app_receiver):
    app_receiver.make_manifest({})
    app_receiver.register_response = (
        403,
        {
            "success": False,
            "error": {"code": "SALEOR_URL_PROHIBITED", "message": "This Saleor is not allowed"},
        },
    )
    with pytest.raises(InstallError, match="This Saleor is not allowed"):
        saleor.install_app(app_receiver.url("/manifest"))
    assert saleor.installed_apps() == []


def test_same_identifier_is_refused_unless_reinstalling(saleor, app_receiver):
    app_receiver.make_manifest({"APP_DELETED": "subscription { event { ... on AppDeleted { app { id } } } }"})
    first = saleor.install_app(app_receiver.url("/manifest"))
    with pytest.raises(InstallError) as refused:
        saleor.install_app(app_receiver.url("/manifest"))
    assert refused.value.errors[0]["code"] == "UNIQUE"
    second = saleor.install_app(app_receiver.url("/manifest"), reinstall=True)
    assert second.token != first.token and second.id != first.id
    assert saleor.query("{ app { id } }", token=first.token).get("errors")
    assert saleor.query("{ app { id } }", token=second.token)["data"]["app"]["id"] == second.id
    (deleted,) = app_receiver.received("/webhooks/app_deleted")
    assert deleted.json() == {"app": {"id": first.id}} and deleted.headers["Saleor-Event"] == "app_deleted"


def _manifest(**overrides):
    manifest = {
        "id": "x.app",
        "version": "1.0",
        "name": "X",
        "permissions": ["MANAGE_ORDERS"],
        "appUrl": "https://app.example.com/",
    }
    manifest.update(overrides)
    return manifest


def _codes(manifest):
    return [(e["field"], e["code"]) for e in validate_manifest(manifest)]


def test_manifest_validation_like_saleor():
    assert _codes(_manifest()) == []
    assert _codes({"version": "1", "name": "X"}) == [("id", "REQUIRED")]
    assert _codes(_manifest(permissions=["MANAGE_APPS"])) == [("permissions", "OUT_OF_SCOPE_PERMISSION")]
    assert _codes(_manifest(permissions=["MANAGE_EVERYTHING"])) == [("permissions", "INVALID_PERMISSION")]
    assert _codes(_manifest(requiredSaleorVersion=">=4.0")) == [
        ("requiredSaleorVersion", "UNSUPPORTED_SALEOR_VERSION")
    ]
    assert _codes(_manifest(requiredSaleorVersion=">=3.20 <4")) == []
    hook = {"name": "h", "targetUrl": "https://app.example.com/h", "asyncEvents": ["ORDER_CREATED"]}
    assert _codes(
        _manifest(
            webhooks=[{**hook, "query": "subscription { event { ... on OrderCreated { order { nope } } } }"}]
        )
    ) == [("webhooks[0].query", "INVALID")]
    assert _codes(_manifest(webhooks=[{**hook, "query": "query { shop { name } }"}])) == [
        ("webhooks[0].query", "INVALID")
    ]
    assert _codes(_manifest(webhooks=[{**hook, "query": SUBSCRIPTION, "asyncEvents": ["NOT_AN_EVENT"]}])) == [
        ("webhooks[0].events", "INVALID")
    ]
    assert _codes(
        _manifest(webhooks=[{**hook, "query": SUBSCRIPTION, "customHeaders": {"Cookie": "x"}}])
    ) == [("webhooks[0].customHeaders", "INVALID_CUSTOM_HEADERS")]
    assert _codes(_manifest(webhooks=[{**hook, "query": SUBSCRIPTION, "targetUrl": "ftp://x"}])) == [
        ("webhooks[0].targetUrl", "INVALID_URL_FORMAT")
    ]
    extension = {
        "label": "Returns",
        "url": "/returns",
        "mount": "ORDER_DETAILS_MORE_ACTIONS",
        "target": "POPUP",
    }
    assert _codes(_manifest(extensions=[extension])) == []
    assert _codes(_manifest(appUrl=None, extensions=[extension])) == [
        ("extensions[0].url", "INVALID_URL_FORMAT")
    ]
    assert _codes(_manifest(extensions=[{**extension, "permissions": ["MANAGE_USERS"]}])) == [
        ("extensions[0].permissions", "OUT_OF_SCOPE_PERMISSION")
    ]
    assert _codes(_manifest(extensions=[{**extension, "target": "WIDGET"}])) == [
        ("extensions[0].target", "INVALID")
    ]
    assert (
        _codes(_manifest(extensions=[{**extension, "mount": "ORDER_DETAILS_WIDGETS", "target": "WIDGET"}]))
        == []
    )


def test_version_ranges():
    assert version_satisfies("3.24.0-a.0", ">=3.20")
    assert version_satisfies("3.24.0-a.0", "^3.20.0")
    assert version_satisfies("3.24.0-a.0", "3.20 - 3.25")
    assert version_satisfies("3.24.0-a.0", "<3.0 || 3.24.x")
    assert not version_satisfies("3.24.0-a.0", "~3.23")
    assert not version_satisfies("3.24.0-a.0", ">3.24")
    assert version_satisfies("3.24.0-a.0", ">3.23")
