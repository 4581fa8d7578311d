"""Dashboard extensions declared in the manifest (mounts, targets, permissions), saleor-app-protocol.md §5.

Every extension asks only for permissions the app itself holds (installations.manifest.APP_PERMISSIONS); the
Dashboard hides an extension from staff who lack them, and our backend checks the same permission again on every
fragment. Mount and target names are the Dashboard's (Saleor 3.22+ stores them as plain strings): WIDGET only on
`*_DETAILS_WIDGETS` and HOMEPAGE_WIDGETS; POPUP for the "…" menus. The app page itself is the manifest's `appUrl`
(/dashboard/) with its own section nav: Returns, Loyalty, Insights, Settings.
"""

from __future__ import annotations

from ..installations.manifest import absolute

ORDERS = "MANAGE_ORDERS"
USERS = "MANAGE_USERS"


def _ext(
    identifier: str,
    label: str,
    mount: str,
    path: str,
    permissions: list[str],
    target: str = "APP_PAGE",
    **options,
) -> dict:
    extension = {
        # Unique per app; lets a widget open our own popup (`openPopup`) on Saleor 3.23+.
        "identifier": identifier,
        "label": label,
        "mount": mount,
        "target": target,
        "permissions": permissions,
        "url": absolute(path),
    }
    if options:
        extension["options"] = options
    return extension


def manifest_extensions() -> list[dict]:
    widget = {"widgetTarget": {"method": "GET"}}
    return [
        _ext("returns-queue", "Returns queue", "NAVIGATION_ORDERS", "/dashboard/returns", [ORDERS]),
        _ext("loyalty", "Loyalty", "NAVIGATION_CUSTOMERS", "/dashboard/loyalty", [USERS]),
        _ext(
            "order-widget",
            "After-sales",
            "ORDER_DETAILS_WIDGETS",
            "/dashboard/widgets/order",
            [ORDERS],
            "WIDGET",
            **widget,
        ),
        _ext(
            "order-actions",
            "Start a return, warranty claim or case",
            "ORDER_DETAILS_MORE_ACTIONS",
            "/dashboard/popups/order",
            [ORDERS],
            "POPUP",
        ),
        _ext(
            "customer-widget",
            "After-sales",
            "CUSTOMER_DETAILS_WIDGETS",
            "/dashboard/widgets/customer",
            [ORDERS],
            "WIDGET",
            **widget,
        ),
        # One popup for both: each part is shown to the staff holding its permission.
        _ext(
            "customer-case",
            "Open a service case",
            "CUSTOMER_DETAILS_MORE_ACTIONS",
            "/dashboard/popups/customer",
            [ORDERS],
            "POPUP",
        ),
        _ext(
            "customer-actions",
            "Adjust loyalty points",
            "CUSTOMER_DETAILS_MORE_ACTIONS",
            "/dashboard/popups/customer",
            [USERS],
            "POPUP",
        ),
        _ext(
            "home-widget",
            "After-sales today",
            "HOMEPAGE_WIDGETS",
            "/dashboard/widgets/home",
            [ORDERS],
            "WIDGET",
            homeWidgetTarget={"method": "GET"},
        ),
    ]
