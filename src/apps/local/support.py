"""The Support Console's local sync: the support requests the generator makes for the sampled
delivered orders (newest first), each with the facts the stream computes (repeat requests, risk,
the order's total), reported on by the support agent's endpoint with the stream's own code, into
support.support_agent_reports_sync."""

from __future__ import annotations

from typing import Any, Callable

from .places import statement, timestamp

REPORTS = """
    CREATE SCHEMA IF NOT EXISTS support;
    CREATE TABLE IF NOT EXISTS support.support_agent_reports_sync (
        support_request_id TEXT PRIMARY KEY, user_id TEXT, order_id TEXT, request_text TEXT, ts TIMESTAMPTZ,
        agent_response TEXT, case_payload TEXT)"""
SCAN = 5000  # delivered orders looked at per run


class PostgresSink:
    def __init__(self, conn: Any, w: Any, warehouse_id: str, events_sql: str, rate: float):
        self.conn, self.w, self.warehouse_id, self.events_sql, self.rate = conn, w, warehouse_id, events_sql, rate
        conn.execute(REPORTS)

    def pending(self, cap: int) -> list:
        from jobs import support_generator as generator
        from jobs.support_stream import cases

        from .refund import delivered_sql

        orders = statement(self.w, self.warehouse_id, delivered_sql(self.events_sql, SCAN))
        sampled = [r for r in orders if generator.sampled(r[0], self.rate)]
        requests = [vars(q) for r in sampled for q in generator.requests_for(r[0], timestamp(r[2]))]
        have = {row[0] for row in self.conn.execute("SELECT support_request_id FROM support.support_agent_reports_sync")}
        todo = sorted((q for q in requests if q["support_request_id"] not in have), key=lambda q: q["ts"],
                      reverse=True)[:cap]
        totals = {r[0]: float(r[3]) for r in sampled if r[3] is not None}
        return cases(todo, requests, totals)

    def merge(self, rows: list) -> None:
        with self.conn.transaction():
            for r in rows:
                self.conn.execute("INSERT INTO support.support_agent_reports_sync VALUES (%s, %s, %s, %s, %s, %s, %s) "
                                  "ON CONFLICT (support_request_id) DO NOTHING",
                                  (r.support_request_id, r.user_id, r.order_id, r.request_text, r.ts, r.agent_response,
                                   r.case_payload))


def sync(conn: Any, w: Any, warehouse_id: str, events_sql: str, endpoint: str, count: int, rate: float,
         say: Callable[[str], None]):
    from agents.common.clients import openai_client
    from jobs.scoring import Settings, endpoint_asker, run
    from jobs.support_stream import SCORING

    sink = PostgresSink(conn, w, warehouse_id, events_sql, rate)
    return run(sink, endpoint_asker(openai_client(w), endpoint, prompt=str), SCORING, Settings(cap=count), say=say,
               noun="support request(s)")
