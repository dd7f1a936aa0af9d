"""The support agent's Unity Catalog tools, named `support_*` (the original's `get_order_overview`
and `get_order_timing` collided with the complaint stage's, with other result schemas): the order's
overview and timing (shared SQL, common/order_sql.py) and the user's history: their latest requests
(`support.raw_support_requests`) and the reports already made for them (`support.support_agent_reports`).
Both tables exist before these functions are created: the generator stage creates the first, this
stage the second (declared in its spec, so the compiler orders every reader after it)."""

from __future__ import annotations

from typing import Callable

from ..common import order_sql
from ..common.order_sql import order_overview, order_timing, percentiles_view, quote  # noqa: F401

SCHEMA = "ai"
ORDER_OVERVIEW = "support_order_overview"
ORDER_TIMING = "support_order_timing"
REQUEST_HISTORY = "support_user_request_history"
REPORT_HISTORY = "support_user_report_history"
TOOLS = (ORDER_OVERVIEW, ORDER_TIMING, REQUEST_HISTORY, REPORT_HISTORY)
# The histories are the 10 latest (the count in all says when there were more), newest first.
ORDER_BY = {REQUEST_HISTORY: "ts DESC, support_request_id DESC", REPORT_HISTORY: "ts DESC, support_request_id DESC"}


def statements(catalog: str, simulator_schema: str,
               qualify: Callable[[str, str], str] | None = None) -> list[tuple[str, str]]:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    events, locations = q("lakeflow", "all_events"), q(simulator_schema, "locations")
    requests, reports = q("support", "raw_support_requests"), q("support", "support_agent_reports")
    return [
        (ORDER_OVERVIEW, order_overview(q(SCHEMA, ORDER_OVERVIEW), events, locations)),
        (ORDER_TIMING, order_timing(q(SCHEMA, ORDER_TIMING), events)),
        (REQUEST_HISTORY, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, REQUEST_HISTORY)}(uid STRING COMMENT 'The user id, e.g. user-007')
RETURNS TABLE (support_request_id STRING, order_id STRING, ts TIMESTAMP, request_type STRING,
               edge_case_type STRING, request_text STRING, requests_in_all BIGINT)
COMMENT 'The user''s 10 latest support requests, and how many they have made in all.'
RETURN SELECT support_request_id, order_id, ts, request_type, edge_case_type, request_text, requests_in_all
  FROM (SELECT *, count(*) OVER () AS requests_in_all FROM {requests} WHERE user_id = uid)
  ORDER BY ts DESC, support_request_id DESC LIMIT 10"""),
        (REPORT_HISTORY, f"""CREATE OR REPLACE FUNCTION {q(SCHEMA, REPORT_HISTORY)}(uid STRING COMMENT 'The user id, e.g. user-007')
RETURNS TABLE (support_request_id STRING, order_id STRING, ts TIMESTAMP, agent_response STRING,
               reports_in_all BIGINT)
COMMENT 'The reports made for the user''s 10 latest support requests, and how many there are in all.'
RETURN SELECT support_request_id, order_id, ts, agent_response, reports_in_all
  FROM (SELECT *, count(*) OVER () AS reports_in_all FROM {reports} WHERE user_id = uid)
  ORDER BY ts DESC, support_request_id DESC LIMIT 10"""),
    ]


def call(catalog: str, function: str, qualify: Callable[[str, str], str] | None = None) -> str:
    q = qualify or (lambda schema, name: quote(catalog, schema, name))
    return order_sql.call(q(SCHEMA, function), ORDER_BY.get(function, ""))
