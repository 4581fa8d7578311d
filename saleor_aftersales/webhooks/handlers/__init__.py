"""Domain handlers for Saleor events. Each module registers with `@handles(...)` from ..registry.

The order mirror is updated before any handler runs (see processing.process_delivery), so handlers read
`ctx.order` and its lines from our database.
"""

from . import customers, loyalty, orders, returns, service, warranty  # noqa: F401
