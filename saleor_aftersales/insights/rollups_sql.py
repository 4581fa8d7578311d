"""The rollup rebuild of a run of days as set-based SQL (PostgreSQL): `INSERT ... SELECT ... GROUP BY`.

Same definitions as the Python path in rollups.py (which SQLite uses, and which the tests compare this with row for
row): units ship on a line's first FULFILLED fulfillment (else the order's fulfilled_at) and count
max(quantity_fulfilled, units in FULFILLED fulfillments); returns count on the UTC day the request was made, cancelled
requests are left out; a settled request's refund and store credit are spread over its lines by line value
(`kpis.allocate`: rounded half-even to 0.001, the last line takes the remainder); a request counts once per key;
durations are line-weighted histograms over `kpis.BUCKET_EDGES_HOURS` (bucket i covers (edge[i-1], edge[i]]).
The database aggregates a month of a million-line shop in a few seconds, without pulling rows into Python; the
caller runs it inside a transaction (temporary tables are dropped on commit).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from ..installations.models import Installation
from . import kpis
from .models import DailyReasonRollup, DailyRollup, Grain, InsightsSettings

SHIPPED_STATUS = "FULFILLED"


def _bucket(hours: str) -> str:
    """SQL: the histogram bucket of a duration in hours (NULL stays NULL)."""
    cases = " ".join(
        f"WHEN {hours} <= {edge} THEN {index}" for index, edge in enumerate(kpis.BUCKET_EDGES_HOURS)
    )
    return f"CASE WHEN {hours} IS NULL THEN NULL {cases} ELSE {len(kpis.BUCKET_EDGES_HOURS)} END"


def _hours(later: str, earlier: str) -> str:
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


def _histogram(column: str) -> str:
    parts = ", ".join(f"COUNT(*) FILTER (WHERE {column} = {index})" for index in range(kpis.BUCKETS))
    return f"jsonb_build_array({parts})"


def _round_half_even(value: str) -> str:
    """round(value, 3) with ties to even, like Decimal.quantize (value >= 0)."""
    scaled = f"({value}) * 1000"
    return (
        f"(CASE WHEN {scaled} - trunc({scaled}) = 0.5 AND mod(trunc({scaled}), 2) = 0 "
        f"THEN trunc({scaled}) / 1000 ELSE round({value}, 3) END)"
    )


DIMENSIONS = ("product_id", "variant_id", "sku", "category_id", "supplier")
NAMES = (("product_name", 386), ("variant_name", 255), ("category_name", 255))


def _supplier(alias: str, attribute: str) -> str:
    """The first value of the supplier attribute ({slug: [values]} in the mirror), bound as a parameter."""
    if not attribute:
        return "''"
    return f"COALESCE(LEFT({alias}.product_attributes -> %(supplier_attribute)s ->> 0, 255), '')"


def _sales_cte(attribute: str) -> str:
    supplier = _supplier("ol", attribute)
    sql = f"""
    sales AS (
      SELECT s.* FROM (
        SELECT (COALESCE(fs.first_shipped_at, o.fulfilled_at) AT TIME ZONE 'UTC')::date AS day,
               o.channel_slug, o.currency, ol.product_id, ol.variant_id, ol.sku, ol.product_name, ol.variant_name,
               ol.category_id, ol.category_name, {supplier} AS supplier,
               GREATEST(COALESCE(ol.quantity_fulfilled, 0), COALESCE(fs.units, 0)) AS units,
               COALESCE(ol.unit_price_gross, 0) AS price,
               COALESCE(fs.first_shipped_at, o.fulfilled_at) AS shipped_at
        FROM orders_orderline ol
        JOIN orders_order o ON o.id = ol.order_id
        LEFT JOIN LATERAL (
          SELECT MIN(f.fulfilled_at) AS first_shipped_at, SUM(fl.quantity) AS units
          FROM orders_fulfillmentline fl JOIN orders_fulfillment f ON f.id = fl.fulfillment_id
          WHERE fl.order_line_id = ol.id AND f.status = '{SHIPPED_STATUS}'
        ) fs ON TRUE
        WHERE o.installation_id = %(installation)s
          AND (o.id IN (SELECT f.order_id FROM orders_fulfillment f WHERE f.status = '{SHIPPED_STATUS}'
                        AND f.fulfilled_at >= %(start)s AND f.fulfilled_at < %(end)s)
               OR (o.fulfilled_at >= %(start)s AND o.fulfilled_at < %(end)s))
      ) s
      WHERE s.shipped_at >= %(start)s AND s.shipped_at < %(end)s AND s.units > 0
    )"""
    return sql


def _returns_cte(attribute: str) -> str:
    supplier = _supplier("ol", attribute)
    refund_part = _allocated("refund_total")
    credit_part = _allocated("credit_total")
    dims = ", ".join(f"l.{d}" for d in DIMENSIONS)
    sql = f"""
    lines AS (
      SELECT rl.id, rl.request_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.channel_slug, r.currency,
             r.status, r.resolution, r.auto_approved,
             rl.quantity, rl.approved_quantity, rl.reason_code, rl.reason_category,
             ol.product_id, ol.variant_id, ol.sku, ol.product_name, ol.variant_name, ol.category_id, ol.category_name,
             {supplier} AS supplier,
             COALESCE(ol.unit_price_gross, 0) * COALESCE(NULLIF(rl.approved_quantity, 0), rl.quantity) AS weight,
             CASE WHEN r.status = ANY(%(settled)s) THEN r.refund_amount ELSE 0 END AS refund_total,
             CASE WHEN r.status = ANY(%(settled)s) THEN r.store_credit_amount ELSE 0 END AS credit_total,
             {_bucket(_hours("r.decided_at", "r.created_at"))} AS decision_bucket,
             {_bucket(_hours("r.received_at", "r.created_at"))} AS receipt_bucket,
             CASE WHEN r.resolution = ANY(%(refund_resolutions)s)
                  THEN {_bucket(_hours("r.resolved_at", "r.created_at"))} END AS refund_bucket
      FROM returns_returnline rl
      JOIN returns_returnrequest r ON r.id = rl.request_id
      JOIN orders_orderline ol ON ol.id = rl.order_line_id
      WHERE r.installation_id = %(installation)s AND r.created_at >= %(start)s AND r.created_at < %(end)s
        AND r.status <> ALL(%(not_returned)s)
    ),
    weighted AS (
      SELECT l.*,
             SUM(l.weight) OVER (PARTITION BY l.request_id) AS total_weight,
             ROW_NUMBER() OVER (PARTITION BY l.request_id ORDER BY l.id DESC) = 1 AS is_last,
             ROW_NUMBER() OVER (PARTITION BY l.request_id ORDER BY l.id) = 1 AS first_of_request,
             ROW_NUMBER() OVER (PARTITION BY l.request_id, {dims} ORDER BY l.id) = 1 AS first_of_variant
      FROM lines l
    ),
    shared AS (
      SELECT w.*,
             CASE WHEN w.total_weight > 0 THEN {_round_half_even("w.refund_total * w.weight / w.total_weight")}
                  ELSE 0 END AS refund_share,
             CASE WHEN w.total_weight > 0 THEN {_round_half_even("w.credit_total * w.weight / w.total_weight")}
                  ELSE 0 END AS credit_share
      FROM weighted w
    ),
    rets AS (
      SELECT s.*,
             CASE WHEN s.status = ANY(%(undecided)s) THEN 0 ELSE s.approved_quantity END AS returned,
             CASE WHEN s.reason_category = ANY(%(defects)s) THEN s.quantity ELSE 0 END AS defect,
             {refund_part} AS refund_part,
             {credit_part} AS credit_part
      FROM shared s
    )"""
    return sql


def _allocated(total: str) -> str:
    share = "refund_share" if total == "refund_total" else "credit_share"
    return (
        f"(CASE WHEN s.is_last THEN s.{total} - SUM(s.{share}) OVER (PARTITION BY s.request_id) + s.{share} "
        f"ELSE s.{share} END)"
    )


def _facts_insert(grain: str) -> str:
    variant = grain == Grain.VARIANT
    keys = ["day", "channel_slug", "currency", *(DIMENSIONS if variant else ())]
    dims = ", ".join(f"LEFT(MIN({name}), {size})" for name, size in NAMES) if variant else "'', '', ''"
    key_columns = ", ".join(DIMENSIONS) if variant else "'', '', '', '', ''"
    group = ", ".join(keys)
    table = DailyRollup._meta.db_table
    return f"""
    INSERT INTO {table} (installation_id, grain, day, channel_slug, currency, product_id, variant_id, sku,
      category_id, supplier, product_name, variant_name, category_name, fulfilled_units, order_lines, revenue,
      requests, approved_requests, rejected_requests, auto_approved_requests, return_lines, requested_units,
      returned_units, defect_units, refund_amount, store_credit_amount, decision_hours, receipt_hours, refund_hours)
    SELECT %(installation)s, '{grain}', day, channel_slug, currency, {key_columns}, {dims},
      COALESCE(SUM(units), 0), COUNT(*) FILTER (WHERE is_sale), COALESCE(SUM(value), 0),
      COUNT(DISTINCT request_id), COUNT(DISTINCT request_id) FILTER (WHERE status <> ALL(%(undecided)s)),
      COUNT(DISTINCT request_id) FILTER (WHERE status = %(rejected)s),
      COUNT(DISTINCT request_id) FILTER (WHERE auto_approved),
      COUNT(*) FILTER (WHERE NOT is_sale), COALESCE(SUM(quantity), 0), COALESCE(SUM(returned), 0),
      COALESCE(SUM(defect), 0), COALESCE(SUM(refund_part), 0), COALESCE(SUM(credit_part), 0),
      {_histogram("decision_bucket")}, {_histogram("receipt_bucket")}, {_histogram("refund_bucket")}
    FROM (
      SELECT TRUE AS is_sale, day, channel_slug, currency, product_id, variant_id, sku, category_id, supplier,
             product_name, variant_name, category_name, units, price * units AS value,
             NULL::bigint AS request_id, NULL::varchar AS status, NULL::boolean AS auto_approved,
             NULL::integer AS quantity, NULL::integer AS returned, NULL::integer AS defect,
             NULL::numeric AS refund_part, NULL::numeric AS credit_part,
             NULL::integer AS decision_bucket, NULL::integer AS receipt_bucket, NULL::integer AS refund_bucket
      FROM insights_pass_sales
      UNION ALL
      SELECT FALSE, day, channel_slug, currency, product_id, variant_id, sku, category_id, supplier,
             product_name, variant_name, category_name, NULL, NULL,
             request_id, status, auto_approved, quantity, returned, defect, refund_part, credit_part,
             decision_bucket, receipt_bucket, refund_bucket
      FROM insights_pass_returns
    ) facts
    GROUP BY {group}"""


def _reasons_insert(grain: str) -> str:
    variant = grain == Grain.VARIANT
    keys = ["day", "channel_slug", "currency", *(DIMENSIONS if variant else ()), "reason_code", "reason_category",
            "resolution"]  # fmt: skip
    dims = ", ".join(f"LEFT(MIN({name}), {size})" for name, size in NAMES) if variant else "'', '', ''"
    key_columns = ", ".join(DIMENSIONS) if variant else "'', '', '', '', ''"
    first = "first_of_variant" if variant else "first_of_request"
    table = DailyReasonRollup._meta.db_table
    return f"""
    INSERT INTO {table} (installation_id, grain, day, channel_slug, currency, product_id, variant_id, sku,
      category_id, supplier, product_name, variant_name, category_name, reason_code, reason_category, resolution,
      requests, lines, requested_units, returned_units, refund_amount, store_credit_amount)
    SELECT %(installation)s, '{grain}', day, channel_slug, currency, {key_columns}, {dims},
      reason_code, reason_category, resolution,
      COUNT(*) FILTER (WHERE {first}), COUNT(*), SUM(quantity), SUM(returned), SUM(refund_part), SUM(credit_part)
    FROM insights_pass_returns
    GROUP BY {", ".join(keys)}"""


def insert_days(
    installation: Installation, first: date, last: date, cfg: InsightsSettings, *, params: dict
) -> None:
    """Insert the rollup rows (both grains, both tables) of the days first..last; the caller deleted them first.

    `params`: start/end (aware UTC bounds) and the status/resolution/category tuples of the definitions.
    """
    sales_sql = _sales_cte(cfg.supplier_attribute)
    returns_sql = _returns_cte(cfg.supplier_attribute)
    values = {"installation": installation.pk, "supplier_attribute": cfg.supplier_attribute, **params}
    with connection.cursor() as cursor:
        # The per-line facts of the pass are computed once into temporary tables, then grouped four ways. JIT only
        # adds compile time to these one-off statements; sorts of a month of lines fit in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        for table, sql, name in (
            ("insights_pass_sales", sales_sql, "sales"),
            ("insights_pass_returns", returns_sql, "rets"),
        ):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS WITH {sql} SELECT * FROM {name}", values
            )
        for grain in (Grain.TOTAL, Grain.VARIANT):
            cursor.execute(_facts_insert(grain), values)
            cursor.execute(_reasons_insert(grain), values)
        cursor.execute("DROP TABLE insights_pass_sales, insights_pass_returns")
