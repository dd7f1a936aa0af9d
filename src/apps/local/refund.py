"""The Refund Manager's local sync: delivered orders, newest first, with their totals, scored by the
refund agent's endpoint with the refund stream's own code, into recommender.pg_recommendations."""

from __future__ import annotations

from typing import Any, Callable

from .places import statement, timestamp

RECOMMENDATIONS = """
    CREATE SCHEMA IF NOT EXISTS recommender;
    CREATE TABLE IF NOT EXISTS recommender.pg_recommendations (
        order_id TEXT PRIMARY KEY, ts TIMESTAMPTZ, order_ts TIMESTAMPTZ, agent_response TEXT);
    ALTER TABLE recommender.pg_recommendations ADD COLUMN IF NOT EXISTS order_total_usd DOUBLE PRECISION"""


def delivered_sql(events_sql: str, limit: int) -> str:
    from jobs.delta_io import ORDER_TOTAL

    return ("SELECT d.order_id, c.order_ts, d.delivered_ts, c.order_total_usd FROM "
            f"(SELECT order_id, max(ts) AS delivered_ts FROM {events_sql} WHERE event_type = 'delivered' "
            "GROUP BY order_id) d LEFT JOIN (SELECT order_id, min(ts) AS order_ts, "
            f"max({ORDER_TOTAL.format(body='body')}) AS order_total_usd FROM {events_sql} "
            "WHERE event_type = 'order_created' GROUP BY order_id) c ON c.order_id = d.order_id "
            f"ORDER BY d.delivered_ts DESC, d.order_id LIMIT {int(limit)}")


class PostgresSink:
    """The stream's sink, writing where the synced table lands: pending = delivered orders (read
    through the warehouse, newest first) not yet in recommender.pg_recommendations."""

    def __init__(self, conn: Any, w: Any, warehouse_id: str, events_sql: str):
        self.conn, self.w, self.warehouse_id, self.events_sql = conn, w, warehouse_id, events_sql
        conn.execute(RECOMMENDATIONS)

    def pending(self, cap: int) -> list:
        from jobs.refund_stream import Order

        have = {row[0] for row in self.conn.execute("SELECT order_id FROM recommender.pg_recommendations")}
        rows = statement(self.w, self.warehouse_id, delivered_sql(self.events_sql, cap + len(have)))
        return [Order(r[0], timestamp(r[1]), timestamp(r[2]), float(r[3]) if r[3] is not None else None)
                for r in rows if r[0] not in have][:cap]

    def merge(self, rows: list) -> None:
        with self.conn.transaction():
            for row in rows:
                self.conn.execute("INSERT INTO recommender.pg_recommendations (order_id, ts, order_ts, agent_response, "
                                  "order_total_usd) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (order_id) DO NOTHING",
                                  (row.order_id, row.ts, row.order_ts, row.agent_response, row.order_total_usd))


def sync(conn: Any, w: Any, warehouse_id: str, events_sql: str, endpoint: str, count: int,
         say: Callable[[str], None]):
    from agents.common.clients import openai_client
    from jobs.refund_stream import Settings, endpoint_asker, run

    sink = PostgresSink(conn, w, warehouse_id, events_sql)
    return run(sink, endpoint_asker(openai_client(w), endpoint), Settings(cap=count), say=say)
