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
from ..common.order_sql import location_timings, order_overview, order_timing, percentiles_view, quote

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
        (ORDER_OVERVIEW, order_overview(q(SCHEMA, ORDER_OVERVIEW), events, locations)),
        (ORDER_TIMING, order_timing(q(SCHEMA, ORDER_TIMING), events)),
        (PERCENTILES_VIEW, percentiles_view(q(SCHEMA, PERCENTILES_VIEW), events, locations)),
        (LOCATION_TIMINGS, location_timings(q(SCHEMA, LOCATION_TIMINGS), q(SCHEMA, PERCENTILES_VIEW))),
    ]


def call(catalog: str, function: str, qualify: Callable[[str, str], str] | None = None) -> str:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    return order_sql.call(q(SCHEMA, function))
