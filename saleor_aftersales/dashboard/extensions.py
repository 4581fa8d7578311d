"""Dashboard extensions declared in the manifest (mounts, targets, permissions).

Every extension asks only for permissions the app itself holds (installations.manifest.APP_PERMISSIONS); the
Dashboard hides an extension from staff who lack them, and our backend checks the same permission again.
"""

from __future__ import annotations

from ..installations.manifest import absolute


def _ext(
    label: str, mount: str, path: str, permissions: list[str], target: str = "APP_PAGE", **options
) -> dict:
    extension = {
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
        _ext("Returns queue", "NAVIGATION_ORDERS", "/dashboard/returns", ["MANAGE_ORDERS"]),
        _ext(
            "After-sales",
            "ORDER_DETAILS_WIDGETS",
            "/dashboard/widgets/order",
            ["MANAGE_ORDERS"],
            "WIDGET",
            **widget,
        ),
        _ext(
            "After-sales",
            "CUSTOMER_DETAILS_WIDGETS",
            "/dashboard/widgets/customer",
            ["MANAGE_ORDERS"],
            "WIDGET",
            **widget,
        ),
        _ext(
            "After-sales today",
            "HOMEPAGE_WIDGETS",
            "/dashboard/widgets/home",
            ["MANAGE_ORDERS"],
            "WIDGET",
            homeWidgetTarget={"method": "GET"},
        ),
    ]
