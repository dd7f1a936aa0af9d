"""The refund agent's Unity Catalog tools, as SQL statements: three table functions and the view
one of them reads, in `{catalog}.ai`, named `refund_*` so no other stage defines the same objects.

Fixed from the original (caspers-stages.md §2.3): the simulator schema is a parameter, locations
are joined on `location_id`, timestamps are the typed `ts` of `all_events`, the delivery-time
percentiles are exact (`percentile`) over the last day *of data* (not of the clock, which made the
view empty whenever the replay lagged), and every name is quoted.

`statements(...)` gives (object, SQL) in creation order. `qualify` maps (schema, name) to a quoted
name; the tests pass one without the catalog to run the same SQL on a local Spark session.
"""

from __future__ import annotations

from typing import Callable

SCHEMA = "ai"
ORDER_DETAILS = "refund_order_details"
DELIVERY_TIME = "refund_order_delivery_time"
PERCENTILES_VIEW = "refund_delivery_times_per_location"
LOCATION_TIMINGS = "refund_location_timings"
TOOLS = (ORDER_DETAILS, DELIVERY_TIME, LOCATION_TIMINGS)  # what the agent may call, in this order of use


def quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def statements(catalog: str, simulator_schema: str,
               qualify: Callable[[str, str], str] | None = None) -> list[tuple[str, str]]:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    events, locations = q("lakeflow", "all_events"), q(simulator_schema, "locations")
    per_order = f"""
        SELECT e.order_id,
               max(e.location_id) AS location_id,
               min(CASE WHEN e.event_type = 'order_created' THEN e.ts END) AS created_at,
               max(CASE WHEN e.event_type = 'delivered' THEN e.ts END) AS delivered_at
        FROM {events} e"""
    minutes = "round((unix_timestamp(o.delivered_at) - unix_timestamp(o.created_at)) / 60.0, 2)"
    return [
        (ORDER_DETAILS, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, ORDER_DETAILS)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, event_type STRING, ts TIMESTAMP, sequence INT, location STRING, body STRING)
COMMENT 'Every event of one order, in order, with the name of its kitchen.'
RETURN SELECT e.order_id, e.event_type, e.ts, e.sequence, l.name AS location, e.body
  FROM {events} e LEFT JOIN {locations} l ON e.location_id = l.location_id
  WHERE e.order_id = oid"""),
        (DELIVERY_TIME, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, DELIVERY_TIME)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, location STRING, created_at TIMESTAMP, delivered_at TIMESTAMP,
               duration_minutes DOUBLE)
COMMENT 'When one order was created and delivered, and the minutes in between (NULL until delivered).'
RETURN SELECT o.order_id, l.name AS location, o.created_at, o.delivered_at, {minutes} AS duration_minutes
  FROM ({per_order} WHERE e.order_id = oid GROUP BY e.order_id) o
  LEFT JOIN {locations} l ON o.location_id = l.location_id"""),
        (PERCENTILES_VIEW, f"""CREATE OR REPLACE VIEW {q(SCHEMA, PERCENTILES_VIEW)}
COMMENT 'Created-to-delivered minutes per kitchen: exact P50, P75, P99 over the last day of data.'
AS SELECT l.name AS location,
          round(percentile(d.minutes, 0.5), 2) AS p50,
          round(percentile(d.minutes, 0.75), 2) AS p75,
          round(percentile(d.minutes, 0.99), 2) AS p99,
          count(*) AS orders
  FROM (SELECT o.location_id, {minutes} AS minutes
        FROM ({per_order} GROUP BY e.order_id) o
        WHERE o.created_at IS NOT NULL AND o.delivered_at IS NOT NULL
          AND o.delivered_at >= (SELECT max(ts) FROM {events}) - INTERVAL 1 DAY) d
  JOIN {locations} l ON d.location_id = l.location_id
  GROUP BY l.name"""),
        (LOCATION_TIMINGS, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, LOCATION_TIMINGS)}(loc STRING COMMENT 'The kitchen, e.g. Chicago')
RETURNS TABLE (location STRING, p50 DOUBLE, p75 DOUBLE, p99 DOUBLE, orders BIGINT)
COMMENT 'Delivery-time percentiles of one kitchen over the last day of data.'
RETURN SELECT location, p50, p75, p99, orders FROM {q(SCHEMA, PERCENTILES_VIEW)} WHERE location = loc"""),
    ]


def call(catalog: str, function: str, qualify: Callable[[str, str], str] | None = None) -> str:
    """The query a tool runs: `SELECT * FROM <function>(:arg)`, with the argument bound, never spliced."""
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    return f"SELECT * FROM {q(SCHEMA, function)}(:arg)"
