"""Postgres (Lakebase): the synced recommendations (read only) and the refund decisions (written).

One decision per order: `refund_decisions.order_id` is unique, and a decision is inserted with
ON CONFLICT DO NOTHING, so of two people deciding the same order at once exactly one wins and the
other is told who decided first (HTTP 409); nothing is overwritten silently. Every statement is
parameterised; schema names come from settings checked as plain names and are quoted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from appkit.postgres import Unavailable, run
from appkit.postgres import quote as q

from .settings import Settings

__all__ = ["Unavailable", "Conflict", "UnknownOrder", "Decision", "Store", "open_pool", "parse_recommendation"]

CLASSES = ("none", "partial", "full")


class Conflict(RuntimeError):
    def __init__(self, existing: dict):
        super().__init__(f"order {existing['order_id']} was already decided")
        self.existing = existing


class UnknownOrder(LookupError):
    pass


@dataclass(frozen=True)
class Decision:
    order_id: str
    amount_usd: Decimal
    refund_class: str
    reason: str
    decided_by: str


def parse_recommendation(text: str | None) -> dict:
    """The agent's answer, defensively: anything that is not its three fields is an "error"."""
    try:
        data = json.loads(text or "")
        usd, kind, reason = data["refund_usd"], data["refund_class"], data["reason"]
        if kind not in (*CLASSES, "error") or isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd < 0:
            raise ValueError(kind)
        return {"refund_usd": round(float(usd), 2), "refund_class": kind, "reason": str(reason)}
    except (ValueError, TypeError, KeyError):
        return {"refund_usd": 0.0, "refund_class": "error", "reason": "the recommendation could not be read"}


def open_pool(settings: Settings, token: Callable[[], str] | None = None):
    """The app's Lakebase pool (appkit/postgres.py): a fresh OAuth token per new connection."""
    from appkit.postgres import open_pool as pool

    return pool(settings, "refund-manager", token)


class Store:
    def __init__(self, pool, settings: Settings):
        self.pool, self.settings = pool, settings
        self.recs = f"{q(settings.recommendations_schema)}.{q(settings.recommendations_table)}"
        self.decisions = f"{q(settings.refunds_schema)}.refund_decisions"

    def _run(self, work: Callable[[Any], Any]) -> Any:
        return run(self.pool, work, f"{self.recs} does not exist yet: the lakebase stage's synced table fills it "
                                    "(locally: `make app-local`)", _why)

    def create_schema(self) -> None:
        schema = q(self.settings.refunds_schema)
        self._run(lambda conn: conn.execute(f"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {self.decisions} (
                id BIGSERIAL PRIMARY KEY,
                order_id TEXT NOT NULL UNIQUE,
                decided_ts TIMESTAMPTZ NOT NULL DEFAULT now(),
                amount_usd NUMERIC(10, 2) NOT NULL CHECK (amount_usd >= 0),
                refund_class TEXT NOT NULL CHECK (refund_class IN ('none', 'partial', 'full')),
                reason TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                source_suggestion JSONB
            )"""))

    def summary(self) -> dict:
        def work(conn):
            rows = conn.execute(f"SELECT r.agent_response, d.amount_usd FROM {self.recs} r "
                                f"LEFT JOIN {self.decisions} d ON d.order_id = r.order_id").fetchall()
            return rows

        rows = self._run(work)
        by_class = {kind: 0 for kind in (*CLASSES, "error")}
        suggested = refunded = Decimal(0)
        decided = 0
        for response, amount in rows:
            rec = parse_recommendation(response)
            by_class[rec["refund_class"]] += 1
            suggested += Decimal(str(rec["refund_usd"]))
            if amount is not None:
                decided += 1
                refunded += amount
        return {"recommendations": len(rows), "pending": len(rows) - decided, "decided": decided,
                "by_class": by_class, "suggested_usd": float(suggested), "refunded_usd": float(refunded)}

    def recommendations(self, status: str = "pending", limit: int = 50, offset: int = 0) -> list[dict]:
        where = {"pending": "WHERE d.order_id IS NULL", "decided": "WHERE d.order_id IS NOT NULL", "all": ""}[status]
        sql = (f"SELECT r.order_id, r.ts, r.order_ts, r.agent_response, d.amount_usd, d.refund_class, d.reason, "
               f"d.decided_by, d.decided_ts FROM {self.recs} r LEFT JOIN {self.decisions} d "
               f"ON d.order_id = r.order_id {where} ORDER BY r.ts DESC NULLS LAST, r.order_id LIMIT %s OFFSET %s")
        rows = self._run(lambda conn: conn.execute(sql, (limit, offset)).fetchall())
        return [_row(*row) for row in rows]

    def decide(self, decision: Decision) -> dict:
        def work(conn):
            with conn.transaction():
                found = conn.execute(f"SELECT agent_response FROM {self.recs} WHERE order_id = %s",
                                     (decision.order_id,)).fetchone()
                if found is None:
                    raise UnknownOrder(decision.order_id)
                inserted = conn.execute(
                    f"INSERT INTO {self.decisions} (order_id, amount_usd, refund_class, reason, decided_by, "
                    "source_suggestion) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (order_id) DO NOTHING "
                    "RETURNING order_id, amount_usd, refund_class, reason, decided_by, decided_ts",
                    (decision.order_id, decision.amount_usd, decision.refund_class, decision.reason,
                     decision.decided_by, json.dumps(parse_recommendation(found[0])))).fetchone()
                if inserted is None:
                    existing = conn.execute(
                        f"SELECT order_id, amount_usd, refund_class, reason, decided_by, decided_ts FROM "
                        f"{self.decisions} WHERE order_id = %s", (decision.order_id,)).fetchone()
                    raise Conflict(_decision(*existing))
                return _decision(*inserted)

        return self._run(work)


def _decision(order_id, amount, kind, reason, by, ts) -> dict:
    return {"order_id": order_id, "amount_usd": float(amount), "refund_class": kind, "reason": reason,
            "decided_by": by, "decided_ts": ts.isoformat() if ts else None}


def _row(order_id, ts, order_ts, response, amount, kind, reason, by, decided_ts) -> dict:
    return {"order_id": order_id, "ts": ts.isoformat() if ts else None,
            "order_ts": order_ts.isoformat() if order_ts else None,
            "recommendation": parse_recommendation(response),
            "decision": _decision(order_id, amount, kind, reason, by, decided_ts) if amount is not None else None}


def _why(err: Exception) -> str:
    text = str(err).lower()
    if "password authentication failed" in text or "authentication" in text:
        return ("the refunds database refused the app's credentials (an expired or wrong token, or no role for "
                "the app); check the app's database resource")
    return "the refunds database cannot be reached; check the Lakebase instance (locally: `make app-local`)"
