"""The refund stream's sink on Databricks: `<catalog>.recommender.refund_recommendations`, a Delta
table with Change Data Feed on from the moment it is created (the Lakebase synced table reads its
changes), written only by MERGE on `order_id` (a rerun inserts nothing twice)."""

from __future__ import annotations

from typing import Any

from .refund_stream import Order, Recommendation

SCHEMA, TABLE = "recommender", "refund_recommendations"
CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS IDENTIFIER(:table) (order_id STRING NOT NULL, ts TIMESTAMP, "
                "order_ts TIMESTAMP, agent_response STRING) USING DELTA "
                "TBLPROPERTIES (delta.enableChangeDataFeed = true)")
CDF_ON = "ALTER TABLE IDENTIFIER(:table) SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"
PENDING = (
    "SELECT d.order_id, c.order_ts, d.delivered_ts "
    "FROM (SELECT order_id, max(ts) AS delivered_ts FROM IDENTIFIER(:events) WHERE event_type = 'delivered' "
    "GROUP BY order_id) d "
    "LEFT JOIN (SELECT order_id, min(ts) AS order_ts FROM IDENTIFIER(:events) WHERE event_type = 'order_created' "
    "GROUP BY order_id) c ON c.order_id = d.order_id "
    "LEFT ANTI JOIN IDENTIFIER(:table) r ON r.order_id = d.order_id "
    "ORDER BY d.delivered_ts, d.order_id")


class MissingTable(RuntimeError):
    pass


def quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


class DeltaSink:
    def __init__(self, spark: Any, catalog: str):
        self.spark = spark
        self.table = quote(catalog, SCHEMA, TABLE)
        self.events = quote(catalog, "lakeflow", "all_events")

    def ensure(self) -> None:
        """The table with Change Data Feed on (also on a table an older version created without it)."""
        self.spark.sql(CREATE_TABLE, args={"table": self.table})
        self.spark.sql(CDF_ON, args={"table": self.table})

    def pending(self, cap: int) -> list[Order]:
        try:
            rows = self.spark.sql(PENDING, args={"events": self.events, "table": self.table}).limit(cap).collect()
        except Exception as err:
            if "TABLE_OR_VIEW_NOT_FOUND" in str(err):
                raise MissingTable(
                    f"refund stream: {self.events} or {self.table} does not exist; the events come from the pipeline "
                    "of stage lakeflow (check 'Order Items Medallion Pipeline'), the recommendations table from "
                    "this job's first step (run it again)") from err
            raise
        return [Order(r["order_id"], r["order_ts"], r["delivered_ts"]) for r in rows]

    def merge(self, rows: list[Recommendation]) -> None:
        from delta.tables import DeltaTable

        frame = self.spark.createDataFrame([(r.order_id, r.ts, r.order_ts, r.agent_response) for r in rows],
                                           "order_id STRING, ts TIMESTAMP, order_ts TIMESTAMP, agent_response STRING")
        (DeltaTable.forName(self.spark, self.table).alias("t")
         .merge(frame.alias("s"), "t.order_id = s.order_id").whenNotMatchedInsertAll().execute())
