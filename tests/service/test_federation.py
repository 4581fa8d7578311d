"""Federation: `User.serviceCases` (batched, access-checked) and `ServiceCase` as an entity keyed by id."""

from __future__ import annotations

from saleor_aftersales.core.ids import to_global_id

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, open_case

USERS = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on User { serviceCases { number } } } }"""
CASES = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on ServiceCase { number status } } }"""


def test_user_service_cases_only_for_that_customer_or_staff(gql, installation, make_token, staff_token):
    mine = open_case(installation)
    by_email = open_case(installation, customer_user_id="", customer_email="guest@example.com")
    reps = [
        {"__typename": "User", "id": CUSTOMER_ID},
        {"__typename": "User", "id": "VXNlcjo3Nzc=", "email": "guest@example.com"},
    ]
    as_owner = gql(
        USERS, {"representations": reps[:1]}, token=make_token(user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
    )
    assert as_owner["data"]["_entities"] == [{"serviceCases": [{"number": mine.number}]}]
    stranger = gql(
        USERS, {"representations": reps[:1]}, token=make_token(user_id="VXNlcjo4ODg=", email="x@y.z")
    )
    assert stranger["data"]["_entities"] == [{"serviceCases": []}]
    staff = gql(
        USERS,
        {"representations": [{"__typename": "User", "email": "guest@example.com"}]},
        token=staff_token("MANAGE_ORDERS"),
    )
    assert staff["data"]["_entities"] == [{"serviceCases": [{"number": by_email.number}]}]
    no_perm = gql(USERS, {"representations": reps[:1]}, token=staff_token("MANAGE_USERS"))
    assert no_perm["data"]["_entities"] == [{"serviceCases": []}]


def test_service_case_entity_respects_access(gql, installation, make_token, staff_token, count_queries):
    cases = [open_case(installation) for _ in range(5)]
    other = open_case(installation, customer_user_id="VXNlcjo3Nzc=", customer_email="o@example.com")
    reps = [{"__typename": "ServiceCase", "id": to_global_id("ServiceCase", c.pk)} for c in [*cases, other]]
    token = make_token(user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
    with count_queries(3):
        result = gql(CASES, {"representations": reps}, token=token)
    entities = result["data"]["_entities"]
    assert [e["number"] if e else None for e in entities] == [c.number for c in cases] + [None]
    staff = gql(CASES, {"representations": reps[-1:]}, token=staff_token("MANAGE_ORDERS"))
    assert staff["data"]["_entities"] == [{"number": other.number, "status": "NEW"}]
