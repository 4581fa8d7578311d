"""CSV export of the KPIs: GET /insights/export.csv?report=daily|products|reasons&start=...&end=...

Same authentication as the GraphQL API: a Saleor JWT in `Authorization: Bearer ...` (or App Bridge's
`Authorization-Bearer`), staff with MANAGE_ORDERS; every row comes from the caller's installation.
"""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from ..core.errors import DomainError, ErrorDetail, PermissionDeniedError
from ..core.time import now
from ..installations.auth import AuthenticationFailed, authenticate
from ..installations.permissions import SaleorPermission
from . import error_codes, selectors

REPORTS = ("daily", "products", "reasons")


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(error_codes.INVALID_PERIOD, "Dates are YYYY-MM-DD.", name) from exc


def _errors(details: list[ErrorDetail], status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": d.field, "code": d.code, "message": d.message} for d in details]}, status=status
    )


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        installation = authenticate(request).require_staff(SaleorPermission.MANAGE_ORDERS)
    except AuthenticationFailed as exc:
        return _errors([ErrorDetail("INVALID_TOKEN", str(exc))], 401)
    except PermissionDeniedError as exc:
        return _errors(exc.details, 403)
    params = request.GET
    report = params.get("report", "daily")
    try:
        if report not in REPORTS:
            raise DomainError("INVALID", f"report: {', '.join(REPORTS)}.", "report")
        filters = selectors.clean_filters(
            installation,
            start=_date(params.get("start"), "start"),
            end=_date(params.get("end"), "end"),
            channel=params.get("channel", ""),
            currency=params.get("currency", ""),
            product_id=params.get("productId", ""),
            variant_id=params.get("variantId", ""),
            category_id=params.get("categoryId", ""),
            today=now().date(),
        )
    except DomainError as exc:
        return _errors(exc.details, 400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="aftersales-{report}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    if report == "products":
        writer.writerow(
            ["variant_id", "product_id", "sku", "product_name", "variant_name", "category_id", "category_name",
             "supplier", "fulfilled_units", "revenue", "requested_units", "returned_units", "defect_units",
             "return_rate", "refund_amount"]
        )  # fmt: skip
        for row in selectors.product_table(installation, filters):
            writer.writerow(
                [row["variant_id"], row["product_id"], row["sku"], row["product_name"], row["variant_name"],
                 row["category_id"], row["category_name"], row["supplier"], row["fulfilled_units"], row["revenue"],
                 row["requested_units"], row["returned_units"], row["defect_units"], _rate(row["return_rate"]),
                 row["refund_amount"]]
            )  # fmt: skip
        return response
    data = selectors.overview(installation, filters)
    if report == "reasons":
        writer.writerow(["reason_code", "category", "label_en", "label_zh_hans", "requested_units", "returned_units",
                         "share"])  # fmt: skip
        for row in data["top_reasons"]:
            writer.writerow(
                [row["code"], row["category"], row["label_en"], row["label_zh_hans"], row["requested_units"],
                 row["returned_units"], _rate(row["share"])]
            )  # fmt: skip
        return response
    writer.writerow(
        [f"period_start ({data['granularity']})", "fulfilled_units", "requested_units", "returned_units",
         "return_rate", "refund_amount"]
    )  # fmt: skip
    for row in data["series"]:
        writer.writerow(
            [row["period_start"].isoformat(), row["fulfilled_units"], row["requested_units"], row["returned_units"],
             _rate(row["return_rate"]), row["refund_amount"]]
        )  # fmt: skip
    refreshed = data["staleness"]["refreshed_at"]
    writer.writerow([f"# rollups refreshed at {refreshed.isoformat() if refreshed else 'never'}"])
    return response
