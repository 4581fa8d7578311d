"""JWTs issued by the stand-in look like Saleor's (protocol doc §5) and its API checks them like Saleor."""

from __future__ import annotations

import base64

import jwt
import pytest

ACCESS_CLAIMS = {"iat", "exp", "iss", "owner", "token", "email", "type", "user_id", "is_staff"}
ME = "{ me { id email isStaff userPermissions { code name } } }"


def verify(saleor, token, **options):
    """What an app does: key from the JWKS by kid, RS256, pinned issuer."""
    jwks = jwt.PyJWKSet.from_dict(saleor.jwks())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next((k for k in jwks.keys if k.key_id == kid), jwks.keys[0])
    return jwt.decode(
        token, key.key, algorithms=["RS256"], issuer=saleor.api_url, options={"verify_aud": False}, **options
    )


@pytest.fixture
def app(saleor, app_receiver):
    app_receiver.make_manifest({}, permissions=["MANAGE_ORDERS", "MANAGE_USERS"], audience="aftersales-test")
    return saleor.install_app(app_receiver.url("/manifest"))


def test_customer_token_claims(saleor):
    customer = saleor.create_customer("ada@example.com")
    token = saleor.issue_customer_token(customer, ttl=120)
    claims = verify(saleor, token)
    assert set(claims) == ACCESS_CLAIMS
    assert (claims["type"], claims["owner"], claims["iss"], claims["email"], claims["is_staff"]) == (
        "access",
        "saleor",
        saleor.api_url,
        "ada@example.com",
        False,
    )
    assert (
        base64.b64decode(claims["user_id"]).decode().startswith("User:")
        and claims["user_id"] == customer["id"]
    )
    assert claims["exp"] - claims["iat"] == 120
    assert jwt.get_unverified_header(token)["kid"] == saleor.jwks()["keys"][0]["kid"]
    assert saleor.query(ME, token=token)["data"]["me"] == {
        "id": customer["id"],
        "email": "ada@example.com",
        "isStaff": False,
        "userPermissions": [],
    }


def test_staff_token_has_no_permission_claims_but_me_answers_them(saleor):
    staff = saleor.create_staff("staff@example.com", permissions=["MANAGE_ORDERS", "HANDLE_PAYMENTS"])
    token = saleor.issue_staff_token(staff)
    claims = verify(saleor, token)
    assert set(claims) == ACCESS_CLAIMS and claims["is_staff"] is True and claims["type"] == "access"
    me = saleor.query(ME, token=token)["data"]["me"]
    assert me["isStaff"] is True
    assert me["userPermissions"] == [
        {"code": "HANDLE_PAYMENTS", "name": "Handle payments."},
        {"code": "MANAGE_ORDERS", "name": "Manage orders."},
    ]


def test_dashboard_token_claims(saleor, app):
    staff = saleor.create_staff("staff@example.com", permissions=["MANAGE_ORDERS", "MANAGE_STAFF"])
    token = saleor.issue_dashboard_token(staff)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == ACCESS_CLAIMS | {"app", "permissions", "user_permissions", "aud"}
    assert claims["type"] == "thirdparty" and claims["app"] == app.id and claims["aud"] == "aftersales-test"
    assert claims["permissions"] == ["MANAGE_ORDERS"]  # app permissions ∩ user permissions
    assert claims["user_permissions"] == ["MANAGE_ORDERS", "MANAGE_STAFF"]
    jwt.decode(
        token,
        jwt.PyJWKSet.from_dict(saleor.jwks()).keys[0].key,
        algorithms=["RS256"],
        audience="aftersales-test",
        issuer=saleor.api_url,
    )


def test_dashboard_token_acts_with_its_permissions_only(saleor, app):
    staff = saleor.create_staff("staff@example.com", permissions=["MANAGE_ORDERS", "MANAGE_USERS"])
    query = "{ customers(first: 1) { totalCount } }"
    assert saleor.query(query, token=saleor.issue_dashboard_token(staff, permissions=["MANAGE_USERS"]))[
        "data"
    ]["customers"] == {"totalCount": 0}
    denied = saleor.query(query, token=saleor.issue_dashboard_token(staff, permissions=[]))
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


@pytest.mark.parametrize("kind", ["customer", "staff", "dashboard"])
def test_negative_tokens(saleor, app, kind):
    user = (
        saleor.create_staff("staff@example.com", permissions=["MANAGE_ORDERS"])
        if kind != "customer"
        else saleor.create_customer("c@example.com")
    )
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(saleor, saleor.issue_expired_token(user, kind=kind))
    with pytest.raises(jwt.InvalidIssuerError):
        verify(saleor, saleor.issue_wrong_issuer_token(user, kind=kind))
    with pytest.raises(jwt.InvalidSignatureError):
        verify(saleor, saleor.issue_foreign_key_token(user, kind=kind))
    assert (
        saleor.query(ME, token=saleor.issue_expired_token(user, kind=kind))["errors"][0]["extensions"][
            "exception"
        ]["code"]
        == "ExpiredSignatureError"
    )
    assert (
        saleor.query(ME, token=saleor.issue_foreign_key_token(user, kind=kind))["errors"][0]["extensions"][
            "exception"
        ]["code"]
        == "InvalidSignatureError"
    )


def test_revoked_tokens_stop_working(saleor):
    customer = saleor.create_customer("ada@example.com")
    token = saleor.issue_customer_token(customer)
    assert saleor.query(ME, token=token)["data"]["me"]["email"] == "ada@example.com"
    saleor.revoke_user_tokens(customer)
    answer = saleor.query(ME, token=token)
    assert (
        answer["data"]["me"] is None
        and answer["errors"][0]["extensions"]["exception"]["code"] == "InvalidTokenError"
    )
    assert (
        saleor.query(ME, token=saleor.issue_customer_token(customer))["data"]["me"]["email"]
        == "ada@example.com"
    )


def test_tokens_after_key_rotation_use_the_new_kid(saleor):
    customer = saleor.create_customer("ada@example.com")
    old = saleor.issue_customer_token(customer)
    saleor.rotate_key()
    new = saleor.issue_customer_token(customer)
    assert (
        jwt.get_unverified_header(new)["kid"]
        == saleor.jwks()["keys"][0]["kid"]
        != jwt.get_unverified_header(old)["kid"]
    )
    verify(saleor, new)


def test_app_tokens_and_anonymous(saleor, app):
    assert saleor.query("{ app { id name } }", token=app.token)["data"]["app"] == {
        "id": app.id,
        "name": "Stand-in test app",
    }
    assert saleor.query("{ me { id } }", token=app.token)["data"]["me"] is None
    assert (
        saleor.query("{ app { id } }", token="not-a-token")["errors"][0]["extensions"]["exception"]["code"]
        == "PermissionDenied"
    )
    saleor.set_app_active(app, False)
    assert (
        saleor.query("{ app { id } }", token=app.token)["errors"][0]["extensions"]["exception"]["code"]
        == "PermissionDenied"
    )
