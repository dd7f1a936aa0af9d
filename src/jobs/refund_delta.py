"""The refund stream's sink on Databricks: `<catalog>.recommender.refund_recommendations`, a Delta
table with Change Data Feed on from the moment it is created (the Lakebase synced table reads its
changes), written only by MERGE on `order_id` (a rerun inserts nothing twice). Each row carries the
order's total (from its order_created event), which the Refund Manager bounds a refund by."""

from __future__ import annotations

from typing import Any

from .delta_io import ORDER_TOTAL, MissingTable, add_column, collect, create_table, insert_new, quote  # noqa: F401
from .refund_stream import Order, Recommendation

SCHEMA, TABLE = "recommender", "refund_recommendations"
TOTAL_COLUMN = "order_total_usd DOUBLE"  # what the Refund Manager bounds a refund by
COLUMNS = f"order_id STRING NOT NULL, ts TIMESTAMP, order_ts TIMESTAMP, agent_response STRING, {TOTAL_COLUMN}"
PENDING = (
    "SELECT d.order_id, c.order_ts, d.delivered_ts, c.order_total_usd "
    "FROM (SELECT order_id, max(ts) AS delivered_ts FROM IDENTIFIER(:events) WHERE event_type = 'delivered' "
    "GROUP BY order_id) d "
    f"LEFT JOIN (SELECT order_id, min(ts) AS order_ts, max({ORDER_TOTAL.format(body='body')}) AS order_total_usd "
    "FROM IDENTIFIER(:events) WHERE event_type = 'order_created' GROUP BY order_id) c ON c.order_id = d.order_id "
    "LEFT ANTI JOIN IDENTIFIER(:table) r ON r.order_id = d.order_id "
    "ORDER BY d.delivered_ts DESC, d.order_id DESC")


class DeltaSink:
    def __init__(self, spark: Any, catalog: str):
        self.spark = spark
        self.table = quote(catalog, SCHEMA, TABLE)
        self.events = quote(catalog, "lakeflow", "all_events")

    def ensure(self) -> None:
        """The table with Change Data Feed on (also on a table an older version created without it)."""
        create_table(self.spark, self.table, COLUMNS, cdf=True)
        add_column(self.spark, self.table, TOTAL_COLUMN)  # a table made before the column

    def pending(self, cap: int) -> list[Order]:
        rows = collect(self.spark, PENDING, {"events": self.events, "table": self.table}, cap,
                       "the events come from the pipeline of stage lakeflow (check 'Order Items Medallion Pipeline'), "
                       "the recommendations table from this job's first step (run it again)")
        return [Order(r["order_id"], r["order_ts"], r["delivered_ts"], r["order_total_usd"]) for r in rows]

    def merge(self, rows: list[Recommendation]) -> None:
        insert_new(self.spark, self.table, [(r.order_id, r.ts, r.order_ts, r.agent_response, r.order_total_usd)
                                            for r in rows],
                   COLUMNS.replace(" NOT NULL", ""), "order_id")
