"""SQL the agents' Unity Catalog tools share, over the canonical `all_events` (typed `ts`,
`location_id`) and the simulator's `locations`: one row per order, its created-to-delivered
minutes, and the per-kitchen percentile view. Each agent creates its own objects from these (names
of its own: no two stages define the same object), so one agent's tools never depend on another's."""

from __future__ import annotations

from typing import Callable

Qualify = Callable[[str, str], str]  # (schema, name) -> a quoted name


def quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def per_order(events: str) -> str:
    """Orders as (order_id, location_id, created_at, delivered_at); the caller adds WHERE / GROUP BY."""
    return f"""
        SELECT e.order_id,
               max(e.location_id) AS location_id,
               min(CASE WHEN e.event_type = 'order_created' THEN e.ts END) AS created_at,
               max(CASE WHEN e.event_type = 'delivered' THEN e.ts END) AS delivered_at
        FROM {events} e"""


MINUTES = "round((unix_timestamp(o.delivered_at) - unix_timestamp(o.created_at)) / 60.0, 2)"
# An order's total from its order_created body: price times quantity (1 when absent), summed in SQL,
# so a model never adds up lines itself.
TOTAL = ("round(aggregate(from_json(get_json_object({body}, '$.items'), 'ARRAY<STRUCT<price: DOUBLE, qty: INT>>'), "
         "CAST(0 AS DOUBLE), (acc, i) -> acc + i.price * coalesce(i.qty, 1)), 2)")


def order_total(body: str) -> str:
    return TOTAL.format(body=body)


def percentiles_view(view: str, events: str, locations: str) -> str:
    """Created-to-delivered minutes per kitchen: exact P50, P75, P99 over the last day *of data*
    (not of the clock, which made the original's view empty whenever the replay lagged)."""
    return f"""CREATE OR REPLACE VIEW {view}
COMMENT 'Created-to-delivered minutes per kitchen: exact P50, P75, P99 over the last day of data.'
AS SELECT l.name AS location,
          round(percentile(d.minutes, 0.5), 2) AS p50,
          round(percentile(d.minutes, 0.75), 2) AS p75,
          round(percentile(d.minutes, 0.99), 2) AS p99,
          count(*) AS orders
  FROM (SELECT o.location_id, {MINUTES} AS minutes
        FROM ({per_order(events)} GROUP BY e.order_id) o
        WHERE o.created_at IS NOT NULL AND o.delivered_at IS NOT NULL
          AND o.delivered_at >= (SELECT max(ts) FROM {events}) - INTERVAL 1 DAY) d
  JOIN {locations} l ON d.location_id = l.location_id
  GROUP BY l.name"""


def location_timings(function: str, view: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {function}(loc STRING COMMENT 'The kitchen, e.g. Chicago')
RETURNS TABLE (location STRING, p50 DOUBLE, p75 DOUBLE, p99 DOUBLE, orders BIGINT)
COMMENT 'Delivery-time percentiles of one kitchen over the last day of data.'
RETURN SELECT location, p50, p75, p99, orders FROM {view} WHERE location = loc"""


def order_overview(function: str, events: str, locations: str) -> str:
    """One order: its kitchen, its items (JSON), the delivery address, the first item's brand, the total."""
    return f"""CREATE OR REPLACE FUNCTION {function}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, location STRING, items_json STRING, customer_address STRING, brand_id BIGINT,
               order_total DOUBLE, order_created_ts TIMESTAMP)
COMMENT 'One order: its kitchen, its items (JSON: name, price, qty, brand_id), the delivery address, the brand of its first item, its total.'
RETURN SELECT e.order_id, l.name AS location,
              get_json_object(e.body, '$.items') AS items_json,
              get_json_object(e.body, '$.customer_addr') AS customer_address,
              CAST(get_json_object(e.body, '$.items[0].brand_id') AS BIGINT) AS brand_id,
              {order_total('e.body')} AS order_total,
              e.ts AS order_created_ts
  FROM {events} e LEFT JOIN {locations} l ON e.location_id = l.location_id
  WHERE e.order_id = oid AND e.event_type = 'order_created'
  ORDER BY e.ts, e.event_id
  LIMIT 1"""


def order_timing(function: str, events: str) -> str:
    """One order's creation and delivery, the minutes in between, and delivered | in_progress | unknown."""
    return f"""CREATE OR REPLACE FUNCTION {function}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, order_created_ts TIMESTAMP, delivered_ts TIMESTAMP,
               delivery_duration_minutes DOUBLE, delivery_status STRING)
COMMENT 'When one order was created and delivered, the minutes in between, and delivered | in_progress | unknown.'
RETURN SELECT o.order_id, o.created_at AS order_created_ts, o.delivered_at AS delivered_ts,
              {MINUTES} AS delivery_duration_minutes,
              CASE WHEN o.delivered_at IS NOT NULL THEN 'delivered'
                   WHEN o.created_at IS NOT NULL THEN 'in_progress' ELSE 'unknown' END AS delivery_status
  FROM ({per_order(events)} WHERE e.order_id = oid GROUP BY e.order_id) o"""


def call(function: str, order_by: str = "") -> str:
    """The query a tool runs: `SELECT * FROM <function>(:arg)`, with the argument bound, never spliced,
    and its rows in a stated order when there can be several (an ORDER BY inside a function's body is
    not kept by the query that reads it)."""
    return f"SELECT * FROM {function}(:arg)" + (f" ORDER BY {order_by}" if order_by else "")
