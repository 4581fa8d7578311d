"""A faithful stand-in for Saleor 3.24 (GraphQL API, JWKS, app installation, signed webhooks) for the test suite.

    from tests.saleor_standin import SaleorStandIn
    saleor = SaleorStandIn().start()

See README.md in this folder.
"""

from .faults import Fault, FaultPlan
from .install import InstalledApp, InstallError
from .jws import KeyRing, SigningKey, decode_protected_header, sign_detached, verify_detached
from .schema_exec import SALEOR_VERSION, SCHEMA_VERSION, field, mutation, query, saleor_schema
from .server import SaleorStandIn
from .state import State
from .tokens import AuthError
from .webhooks import Delivery

__all__ = [
    "SALEOR_VERSION",
    "SCHEMA_VERSION",
    "AuthError",
    "Delivery",
    "Fault",
    "FaultPlan",
    "InstallError",
    "InstalledApp",
    "KeyRing",
    "SaleorStandIn",
    "SigningKey",
    "State",
    "decode_protected_header",
    "field",
    "mutation",
    "query",
    "saleor_schema",
    "sign_detached",
    "verify_detached",
]
