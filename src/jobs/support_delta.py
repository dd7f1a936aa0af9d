"""The support streams' sinks on Databricks, in `<catalog>.support`:
- `raw_support_requests` (the generator's; one to three rows per sampled delivered order, key
  support_request_id; pending = sampled delivered orders without any request);
- `support_agent_reports` (the agent stream's; key support_request_id; Change Data Feed on from
  creation, since the Lakebase synced table reads its changes).
The DDL here is the only one: stages create the tables with it before any reader exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .delta_io import ORDER_TOTAL, collect, create_table, insert_new, quote
from .sampling import DeliveredOrder
from .support_generator import SAMPLED_SQL, SupportRequest
from .support_stream import WINDOW, Report, SupportCase, cases

SCHEMA, REQUESTS, REPORTS = "support", "raw_support_requests", "support_agent_reports"
REQUEST_COLUMNS = ("support_request_id STRING NOT NULL, user_id STRING, order_id STRING, ts TIMESTAMP, "
                   "request_type STRING, request_text STRING, edge_case_type STRING, request_attempt INT, "
                   "generated_by STRING")
REPORT_COLUMNS = ("support_request_id STRING NOT NULL, user_id STRING, order_id STRING, request_text STRING, "
                  "ts TIMESTAMP, agent_response STRING, case_payload STRING")
SAMPLED_PENDING = (
    "SELECT d.order_id, d.delivered_ts "
    "FROM (SELECT order_id, max(ts) AS delivered_ts FROM IDENTIFIER(:events) WHERE event_type = 'delivered' "
    "GROUP BY order_id) d "
    "LEFT ANTI JOIN IDENTIFIER(:requests) r ON r.order_id = d.order_id "
    f"WHERE {SAMPLED_SQL.format(column='d.order_id')} "
    "ORDER BY d.delivered_ts DESC, d.order_id DESC")
UNREPORTED = (
    "SELECT r.* FROM IDENTIFIER(:requests) r "
    "LEFT ANTI JOIN IDENTIFIER(:reports) p ON p.support_request_id = r.support_request_id "
    "ORDER BY r.ts DESC, r.support_request_id DESC")
HISTORY = ("SELECT support_request_id, user_id, ts, edge_case_type FROM IDENTIFIER(:requests) "
           "WHERE ts >= CAST(:since AS TIMESTAMP)")
TOTALS = (
    f"SELECT e.order_id, {ORDER_TOTAL.format(body='e.body')} AS total FROM IDENTIFIER(:events) e "
    "LEFT SEMI JOIN IDENTIFIER(:requests) r ON r.order_id = e.order_id WHERE e.event_type = 'order_created'")
# How late each requested order was: the percent rank of its minutes among its kitchen's delivered orders.
LATENESS = (
    "SELECT d.order_id, d.lateness FROM ("
    "SELECT o.order_id, percent_rank() OVER (PARTITION BY o.location_id ORDER BY o.minutes) AS lateness FROM ("
    "SELECT order_id, max(location_id) AS location_id, "
    "(unix_timestamp(max(CASE WHEN event_type = 'delivered' THEN ts END)) "
    "- unix_timestamp(min(CASE WHEN event_type = 'order_created' THEN ts END))) / 60.0 AS minutes "
    "FROM IDENTIFIER(:events) WHERE event_type IN ('order_created', 'delivered') GROUP BY order_id) o "
    "WHERE o.minutes IS NOT NULL) d LEFT SEMI JOIN IDENTIFIER(:requests) r ON r.order_id = d.order_id")


def _plain(columns: str) -> str:
    return columns.replace(" NOT NULL", "")


class RequestSink:
    """The generator's: sampled delivered orders without requests."""

    def __init__(self, spark: Any, catalog: str, rate: float):
        self.spark, self.rate = spark, rate
        self.events, self.requests = quote(catalog, "lakeflow", "all_events"), quote(catalog, SCHEMA, REQUESTS)

    def ensure(self) -> None:
        create_table(self.spark, self.requests, REQUEST_COLUMNS, cdf=False)

    def pending(self, cap: int) -> list[DeliveredOrder]:
        rows = collect(self.spark, SAMPLED_PENDING, {"events": self.events, "requests": self.requests,
                                                     "rate": str(self.rate)}, cap,
                       "the events come from the pipeline of stage lakeflow, the requests table from stage "
                       "support_request_generator_stream")
        return [DeliveredOrder(r["order_id"], r["delivered_ts"]) for r in rows]

    def merge(self, rows: list[SupportRequest]) -> None:
        insert_new(self.spark, self.requests, [(r.support_request_id, r.user_id, r.order_id, r.ts, r.request_type,
                                                r.request_text, r.edge_case_type, r.request_attempt, r.generated_by)
                                               for r in rows], _plain(REQUEST_COLUMNS), "support_request_id")


class ReportSink:
    """The agent stream's: requests without a report, with the facts the policy needs."""

    def __init__(self, spark: Any, catalog: str):
        self.spark = spark
        self.events = quote(catalog, "lakeflow", "all_events")
        self.requests, self.reports = quote(catalog, SCHEMA, REQUESTS), quote(catalog, SCHEMA, REPORTS)

    def ensure(self) -> None:
        create_table(self.spark, self.reports, REPORT_COLUMNS, cdf=True)

    def pending(self, cap: int) -> list[SupportCase]:
        hint = ("the requests come from the job 'Support Request Generator' (stage support_request_generator_stream), "
                "the reports table from stage support_request_agent")
        requests = [r.asDict() for r in collect(self.spark, UNREPORTED, {"requests": self.requests,
                                                                          "reports": self.reports}, cap, hint)]
        if not requests:
            return []
        since = (min(r["ts"] for r in requests) - WINDOW - timedelta(seconds=1)).isoformat(sep=" ")
        history = [r.asDict() for r in collect(self.spark, HISTORY, {"requests": self.requests, "since": since},
                                               10 ** 6, hint)]
        totals = {r["order_id"]: r["total"] for r in collect(self.spark, TOTALS, {"events": self.events,
                                                                                    "requests": self.requests},
                                                             10 ** 7, hint)}
        lateness = {r["order_id"]: r["lateness"] for r in collect(self.spark, LATENESS, {"events": self.events,
                                                                                      "requests": self.requests},
                                                                  10 ** 7, hint)}
        return cases(requests, history, totals, lateness)

    def merge(self, rows: list[Report]) -> None:
        insert_new(self.spark, self.reports, [(r.support_request_id, r.user_id, r.order_id, r.request_text, r.ts,
                                               r.agent_response, r.case_payload) for r in rows], _plain(REPORT_COLUMNS),
                   "support_request_id")
