"""The refund agent's Unity Catalog tools, as SQL statements: three table functions and the view
one of them reads, in `{catalog}.ai`, named `refund_*` so no other stage defines the same objects.

Fixed from the original (caspers-stages.md §2.3): the simulator schema is a parameter, locations
are joined on `location_id`, timestamps are the typed `ts` of `all_events`, the delivery-time
percentiles are exact (`percentile`) over the last day *of data* (not of the clock, which made the
view empty whenever the replay lagged), and every name is quoted. What the model needs comes from SQL:
the order's total (`order_total`, price times quantity summed from the order_created body) on every
row of its details, which leave the driver's location pings out (dozens per order: the original's
listing of them ran past what a tool result holds and cut off the `delivered` row) and come in
lifecycle order.

`statements(...)` gives (object, SQL) in creation order. `qualify` maps (schema, name) to a quoted
name; the tests pass one without the catalog to run the same SQL on a local Spark session.
"""

from __future__ import annotations

from typing import Callable

from ..common import order_sql
from ..common.order_sql import MINUTES, location_timings, order_total, per_order, percentiles_view, quote  # noqa: F401

SCHEMA = "ai"
ORDER_DETAILS = "refund_order_details"
DELIVERY_TIME = "refund_order_delivery_time"
PERCENTILES_VIEW = "refund_delivery_times_per_location"
LOCATION_TIMINGS = "refund_location_timings"
TOOLS = (ORDER_DETAILS, DELIVERY_TIME, LOCATION_TIMINGS)  # what the agent may call, in this order of use
ORDER_BY = {ORDER_DETAILS: "ts, sequence"}  # a tool with several rows gives them in this order


def statements(catalog: str, simulator_schema: str,
               qualify: Callable[[str, str], str] | None = None) -> list[tuple[str, str]]:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    events, locations = q("lakeflow", "all_events"), q(simulator_schema, "locations")
    return [
        (ORDER_DETAILS, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, ORDER_DETAILS)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, event_type STRING, ts TIMESTAMP, sequence INT, location STRING,
               order_total DOUBLE, body STRING)
COMMENT 'The lifecycle events of one order (driver location pings left out), with its kitchen and its total in USD.'
RETURN SELECT e.order_id, e.event_type, e.ts, e.sequence, l.name AS location, t.order_total, e.body
  FROM {events} e LEFT JOIN {locations} l ON e.location_id = l.location_id
  LEFT JOIN (SELECT c.order_id, max({order_total('c.body')}) AS order_total FROM {events} c
             WHERE c.order_id = oid AND c.event_type = 'order_created' GROUP BY c.order_id) t
    ON t.order_id = e.order_id
  WHERE e.order_id = oid AND e.event_type <> 'driver_ping'"""),
        (DELIVERY_TIME, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, DELIVERY_TIME)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, location STRING, created_at TIMESTAMP, delivered_at TIMESTAMP,
               duration_minutes DOUBLE)
COMMENT 'When one order was created and delivered, and the minutes in between (NULL until delivered).'
RETURN SELECT o.order_id, l.name AS location, o.created_at, o.delivered_at, {MINUTES} AS duration_minutes
  FROM ({per_order(events)} WHERE e.order_id = oid GROUP BY e.order_id) o
  LEFT JOIN {locations} l ON o.location_id = l.location_id"""),
        (PERCENTILES_VIEW, percentiles_view(q(SCHEMA, PERCENTILES_VIEW), events, locations)),
        (LOCATION_TIMINGS, location_timings(q(SCHEMA, LOCATION_TIMINGS), q(SCHEMA, PERCENTILES_VIEW))),
    ]


def call(catalog: str, function: str, qualify: Callable[[str, str], str] | None = None) -> str:
    """The query a tool runs, with the argument bound, never spliced."""
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    return order_sql.call(q(SCHEMA, function), ORDER_BY.get(function, ""))
