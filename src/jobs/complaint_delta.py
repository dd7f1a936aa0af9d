"""The complaint streams' sinks on Databricks, in `<catalog>.complaints`:
- `raw_complaints` (the generator's; key order_id: one complaint per sampled delivered order);
- `complaint_responses` (the agent stream's; key complaint_id; Change Data Feed on from creation,
  since the Lakebase synced table `pg_complaint_responses` reads its changes).
Both are written only by inserts of new keys (delta_io.insert_new)."""

from __future__ import annotations

from typing import Any

from .complaint_generator import SAMPLED_SQL, Complaint
from .sampling import DeliveredOrder
from .complaint_stream import RawComplaint, Response
from .delta_io import collect, create_table, insert_new, quote

SCHEMA, RAW, RESPONSES = "complaints", "raw_complaints", "complaint_responses"
RAW_COLUMNS = ("complaint_id STRING NOT NULL, order_id STRING NOT NULL, ts TIMESTAMP, complaint_category STRING, "
               "complaint_text STRING, generated_by STRING")
RESPONSE_COLUMNS = "complaint_id STRING NOT NULL, order_id STRING, ts TIMESTAMP, agent_response STRING"
SAMPLED_PENDING = (
    "SELECT d.order_id, d.delivered_ts "
    "FROM (SELECT order_id, max(ts) AS delivered_ts FROM IDENTIFIER(:events) WHERE event_type = 'delivered' "
    "GROUP BY order_id) d "
    "LEFT ANTI JOIN IDENTIFIER(:raw) r ON r.order_id = d.order_id "
    f"WHERE {SAMPLED_SQL.format(column='d.order_id')} "
    "ORDER BY d.delivered_ts DESC, d.order_id DESC")
UNANSWERED = (
    "SELECT c.complaint_id, c.order_id, c.complaint_text, c.ts FROM IDENTIFIER(:raw) c "
    "LEFT ANTI JOIN IDENTIFIER(:responses) r ON r.complaint_id = c.complaint_id "
    "ORDER BY c.ts DESC, c.complaint_id DESC")


def _plain(columns: str) -> str:
    return columns.replace(" NOT NULL", "")


class ComplaintSink:
    """The generator's: delivered orders that the sample picks and that have no complaint yet."""

    def __init__(self, spark: Any, catalog: str, rate: float):
        self.spark, self.rate = spark, rate
        self.events, self.raw = quote(catalog, "lakeflow", "all_events"), quote(catalog, SCHEMA, RAW)

    def ensure(self) -> None:
        create_table(self.spark, self.raw, RAW_COLUMNS, cdf=False)

    def pending(self, cap: int) -> list[DeliveredOrder]:
        rows = collect(self.spark, SAMPLED_PENDING, {"events": self.events, "raw": self.raw, "rate": str(self.rate)},
                       cap, "the events come from the pipeline of stage lakeflow, raw_complaints from this job's "
                            "first step (run it again)")
        return [DeliveredOrder(r["order_id"], r["delivered_ts"]) for r in rows]

    def merge(self, rows: list[Complaint]) -> None:
        insert_new(self.spark, self.raw, [(r.complaint_id, r.order_id, r.ts, r.complaint_category, r.complaint_text,
                                           r.generated_by) for r in rows], _plain(RAW_COLUMNS), "order_id")


class ResponseSink:
    """The agent stream's: raw complaints without a response."""

    def __init__(self, spark: Any, catalog: str):
        self.spark = spark
        self.raw, self.responses = quote(catalog, SCHEMA, RAW), quote(catalog, SCHEMA, RESPONSES)

    def ensure(self) -> None:
        create_table(self.spark, self.responses, RESPONSE_COLUMNS, cdf=True)

    def pending(self, cap: int) -> list[RawComplaint]:
        rows = collect(self.spark, UNANSWERED, {"raw": self.raw, "responses": self.responses}, cap,
                       "raw_complaints comes from the job 'Complaint Generator Stream' (stage "
                       "complaint_generator_stream), complaint_responses from this job's first step")
        return [RawComplaint(r["complaint_id"], r["order_id"], r["complaint_text"], r["ts"]) for r in rows]

    def merge(self, rows: list[Response]) -> None:
        insert_new(self.spark, self.responses, [(r.complaint_id, r.order_id, r.ts, r.agent_response) for r in rows],
                   _plain(RESPONSE_COLUMNS), "complaint_id")
