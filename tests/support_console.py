"""Helpers for the Support Console tests: the synced reports table as Lakebase would hold it."""

from __future__ import annotations

import json
import sys

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "src" / "apps" / "support_console"))
sys.path.insert(0, str(ROOT / "src" / "apps"))  # appkit, which the bundle ships into each app's folder
sys.path.append(str(ROOT / "src"))  # sql_statements, which it ships there too

REPORTS = """
    CREATE SCHEMA IF NOT EXISTS support;
    CREATE TABLE IF NOT EXISTS support.support_agent_reports_sync (
        support_request_id TEXT PRIMARY KEY, user_id TEXT, order_id TEXT, request_text TEXT, ts TIMESTAMPTZ,
        agent_response TEXT, case_payload TEXT)"""


def support_report(request_id: str, refund: float, credit: float, escalate: bool = False, user: str = "user-001",
                   order: str = "O1") -> str:
    return json.dumps({"support_request_id": request_id, "user_id": user, "order_id": order,
                       "credit_recommendation": {"amount_usd": credit, "reason": "policy"},
                       "refund_recommendation": {"amount_usd": refund, "reason": "policy"},
                       "draft_response": draft(refund, credit, user),
                       "past_interactions_summary": "two requests this month",
                       "order_details_summary": "Order from Chicago, 31.50", "decision_confidence": "high",
                       "escalation_flag": escalate})


def draft(refund: float, credit: float, user: str = "user-001") -> str:
    """The agent's draft, as its policy words it: the offers it announces as applied."""
    offers = " and ".join(f"a ${amount:.2f} {kind}" for amount, kind in ((refund, "refund"), (credit, "credit"))
                          if amount > 0)
    return f"Sorry, {user}. We have applied {offers} to this order." if offers else f"Sorry, {user}."


def case_payload(request_id: str, user: str, order: str, text: str, limit: float) -> str:
    """The case as the stream sends it: the facts, the order's total as `policy_limit_usd`."""
    return json.dumps({"support_request_id": request_id, "user_id": user, "order_id": order, "request_text": text,
                       "edge_case_type": "standard", "request_type": "delivery_delay", "repeat_complaints_30d": 0,
                       "risk_score": 0.0, "policy_limit_usd": limit})


def load(conn, rows: list[tuple[str, str, str, str, str]]) -> None:
    """(support_request_id, user_id, order_id, request_text, agent_response[, case_payload]), a minute
    apart, newest last."""
    conn.execute(REPORTS)
    for i, row in enumerate(rows):
        conn.execute("INSERT INTO support.support_agent_reports_sync VALUES (%s, %s, %s, %s, "
                     "now() - make_interval(mins => %s), %s, %s) ON CONFLICT DO NOTHING",
                     (*row[:4], len(rows) - i, row[4], row[5] if len(row) > 5 else None))
