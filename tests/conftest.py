"""Shared fixtures: an installation with its own signing key (fast unit tests), tokens, a GraphQL caller,
and (through tests.saleor_standin) a faithful Saleor on loopback for end-to-end tests."""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection

pytest_plugins = (
    ["tests.saleor_standin.fixtures"]
    if (Path(__file__).parent / "saleor_standin" / "fixtures.py").exists()
    else []
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEST_API_URL = "http://127.0.0.1:9/graphql/"
TEST_APP_ID = base64.b64encode(b"App:1").decode()


def pytest_collection_modifyitems(config, items):
    # Row locks and real concurrency need PostgreSQL; on SQLite those tests are skipped, not faked.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        skip = pytest.mark.skip(reason="needs PostgreSQL")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and at the end: threads of live servers and ASGI ingest keep their own
    connections to it; end them before it is dropped, or PostgreSQL refuses ("is being accessed by other users")
    and leaves it behind."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def jwks(rsa_key):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    public.update({"kid": "test-key", "use": "sig", "alg": "RS256"})
    return {"keys": [public]}


@pytest.fixture
def installation(db, jwks):
    from saleor_aftersales.installations.models import Installation

    return Installation.objects.create(
        saleor_api_url=TEST_API_URL,
        saleor_domain="127.0.0.1:9",
        app_id=TEST_APP_ID,
        auth_token="app-token",
        jwks=jwks,
    )


def user_global_id(n: int | str) -> str:
    return base64.b64encode(f"User:{n}".encode()).decode()


@pytest.fixture
def make_token(rsa_key):
    """Mint a Saleor-shaped JWT signed with the installation's key.

    kind: "customer" or "staff" (type access; a staff token carries no permissions, like tokenCreate), "dashboard"
    (type thirdparty, with user_permissions and app).
    """

    def make(
        *,
        kind: str = "customer",
        user_id: str | None = None,
        email: str = "customer@example.com",
        permissions: list[str] | None = None,
        ttl: int = 300,
        issuer: str = TEST_API_URL,
        app: str = TEST_APP_ID,
        key=None,
        kid: str = "test-key",
    ) -> str:
        now = int(time.time())
        claims = {
            "iat": now,
            "exp": now + ttl,
            "iss": issuer,
            "owner": "saleor",
            "token": uuid.uuid4().hex,
            "email": email,
            "user_id": user_id or user_global_id(abs(hash(email)) % 100000),
            "is_staff": kind != "customer",
            "type": "thirdparty" if kind == "dashboard" else "access",
        }
        if kind == "dashboard":
            claims.update(
                {"app": app, "permissions": permissions or [], "user_permissions": permissions or []}
            )
        return jwt.encode(claims, key or rsa_key, algorithm="RS256", headers={"kid": kid})

    return make


@pytest.fixture
def staff_token(make_token):
    def make(*permissions: str, email: str = "staff@example.com") -> str:
        return make_token(
            kind="dashboard", email=email, permissions=list(permissions), user_id=user_global_id(900)
        )

    return make


@pytest.fixture
def gql(client):
    """POST a GraphQL document to our API in-process; returns the decoded JSON (asserts no HTTP 5xx)."""

    def run(
        query: str,
        variables: dict | None = None,
        *,
        token: str | None = None,
        api_url: str | None = None,
        files=None,
    ):
        headers = {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if api_url:
            headers["HTTP_SALEOR_API_URL"] = api_url
        if files:
            operations = json.dumps({"query": query, "variables": variables or {}})
            response = client.post("/graphql/", {"operations": operations, **files}, **headers)
        else:
            response = client.post(
                "/graphql/",
                json.dumps({"query": query, "variables": variables or {}}),
                content_type="application/json",
                **headers,
            )
        assert response.status_code < 500, response.content
        return response.json()

    return run


@pytest.fixture
def count_queries(django_assert_max_num_queries):
    return django_assert_max_num_queries


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def installed_app(saleor, live_server, settings, transactional_db):
    """Our app installed into the Saleor stand-in over real HTTP (manifest GET + register POST, like Saleor)."""
    from types import SimpleNamespace

    from saleor_aftersales.installations.models import Installation
    from saleor_aftersales.installations.permissions import APP_PERMISSIONS

    settings.PUBLIC_URL = live_server.url  # every manifest URL must reach the live server
    installed = saleor.install_app(f"{live_server.url}/api/manifest", [str(p) for p in APP_PERMISSIONS])
    installation = Installation.objects.get(saleor_api_url=saleor.api_url)
    return SimpleNamespace(installation=installation, saleor=saleor, app_id=installed.id, installed=installed)
