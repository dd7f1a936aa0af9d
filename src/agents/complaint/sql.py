"""The complaint agent's Unity Catalog tools: three table functions and the view one of them reads,
in `{catalog}.ai`, named `complaint_*` so that no other stage defines the same objects (the original
shared `get_location_timings` and the percentile view with the refund stage, with other SQL, and
`get_order_overview`/`get_order_timing` with the support stage).

Fixed from the original (caspers-stages.md §2.7): locations are joined on `location_id` (the
`all_events.location` column it read does not exist in the canonical events), timestamps are the
typed `ts`, percentiles are over the last day of data, every name is quoted, and the simulator
schema is a parameter.
"""

from __future__ import annotations

from typing import Callable

from ..common import order_sql
from ..common.order_sql import MINUTES, location_timings, per_order, percentiles_view, quote

SCHEMA = "ai"
ORDER_OVERVIEW = "complaint_order_overview"
ORDER_TIMING = "complaint_order_timing"
PERCENTILES_VIEW = "complaint_delivery_times_per_location"
LOCATION_TIMINGS = "complaint_location_timings"
TOOLS = (ORDER_OVERVIEW, ORDER_TIMING, LOCATION_TIMINGS)


def statements(catalog: str, simulator_schema: str,
               qualify: Callable[[str, str], str] | None = None) -> list[tuple[str, str]]:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    events, locations = q("lakeflow", "all_events"), q(simulator_schema, "locations")
    return [
        (ORDER_OVERVIEW, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, ORDER_OVERVIEW)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, location STRING, items_json STRING, customer_address STRING, brand_id BIGINT,
               order_total DOUBLE, order_created_ts TIMESTAMP)
COMMENT 'One order: its kitchen, its items (JSON: name, price, qty, brand_id), the delivery address, the brand of its first item, its total.'
RETURN SELECT e.order_id, l.name AS location,
              get_json_object(e.body, '$.items') AS items_json,
              get_json_object(e.body, '$.customer_addr') AS customer_address,
              CAST(get_json_object(e.body, '$.items[0].brand_id') AS BIGINT) AS brand_id,
              round(aggregate(from_json(get_json_object(e.body, '$.items'), 'ARRAY<STRUCT<price: DOUBLE, qty: INT>>'),
                              CAST(0 AS DOUBLE), (acc, i) -> acc + i.price * coalesce(i.qty, 1)), 2) AS order_total,
              e.ts AS order_created_ts
  FROM {events} e LEFT JOIN {locations} l ON e.location_id = l.location_id
  WHERE e.order_id = oid AND e.event_type = 'order_created'
  LIMIT 1"""),
        (ORDER_TIMING, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, ORDER_TIMING)}(oid STRING COMMENT 'The order id')
RETURNS TABLE (order_id STRING, order_created_ts TIMESTAMP, delivered_ts TIMESTAMP,
               delivery_duration_minutes DOUBLE, delivery_status STRING)
COMMENT 'When one order was created and delivered, the minutes in between, and delivered | in_progress | unknown.'
RETURN SELECT o.order_id, o.created_at AS order_created_ts, o.delivered_at AS delivered_ts,
              {MINUTES} AS delivery_duration_minutes,
              CASE WHEN o.delivered_at IS NOT NULL THEN 'delivered'
                   WHEN o.created_at IS NOT NULL THEN 'in_progress' ELSE 'unknown' END AS delivery_status
  FROM ({per_order(events)} WHERE e.order_id = oid GROUP BY e.order_id) o"""),
        (PERCENTILES_VIEW, percentiles_view(q(SCHEMA, PERCENTILES_VIEW), events, locations)),
        (LOCATION_TIMINGS, location_timings(q(SCHEMA, LOCATION_TIMINGS), q(SCHEMA, PERCENTILES_VIEW))),
    ]


def call(catalog: str, function: str, qualify: Callable[[str, str], str] | None = None) -> str:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    return order_sql.call(q(SCHEMA, function))
