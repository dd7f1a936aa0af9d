"""Postgres (Lakebase): the synced recommendations (read only) and the refund decisions (written).

One decision per order: `refund_decisions.order_id` is unique, and a decision is inserted with
ON CONFLICT DO NOTHING, so of two people deciding the same order at once exactly one wins and the
other is told who decided first (HTTP 409); nothing is overwritten silently. Each decision records
who decided, when, the order's total it was bounded by, and whether it needed the approver role.

Lists are keyset-paged, newest first, over an index on the synced table. The app's own schema holds
`suggested_usd(text)`, the recommendation's amount as SQL reads it (NULL for an unreadable or error
answer), so the "$0 recommendations" filter runs in the query. Every statement is parameterised;
schema names come from settings checked as plain names and are quoted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from appkit.fields import decode_cursor, encode_cursor
from appkit.postgres import Database, Unavailable
from appkit.postgres import quote as q

from . import rules
from .settings import Settings

__all__ = ["Unavailable", "Conflict", "UnknownOrder", "Decision", "Store", "open_pool", "parse_recommendation"]

CLASSES = ("none", "partial", "full")
NEWEST = "coalesce(r.ts, '-infinity'::timestamptz)"  # the list's sort key, with the order id


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
    approver: bool = False


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
        self.settings = settings
        self.schema = q(settings.refunds_schema)
        self.recs = f"{q(settings.recommendations_schema)}.{q(settings.recommendations_table)}"
        self.decisions = f"{self.schema}.refund_decisions"
        self.suggested = f"{self.schema}.suggested_usd"
        self.db = Database(pool, f"refund-manager:{settings.refunds_schema}", self._schema, self._indexes,
                           f"{self.recs} does not exist yet: the lakebase stage's synced table fills it "
                           "(locally: `make app-local`)", _why)
        self._total: str | None = None  # how the order's total is read (older synced tables lack it)

    def _schema(self) -> list[str]:
        return [
            f"CREATE SCHEMA IF NOT EXISTS {self.schema}",
            f"""CREATE TABLE IF NOT EXISTS {self.decisions} (
                id BIGSERIAL PRIMARY KEY,
                order_id TEXT NOT NULL UNIQUE,
                decided_ts TIMESTAMPTZ NOT NULL DEFAULT now(),
                amount_usd NUMERIC(10, 2) NOT NULL CHECK (amount_usd >= 0),
                refund_class TEXT NOT NULL CHECK (refund_class IN ('none', 'partial', 'full')),
                reason TEXT NOT NULL,
                decided_by TEXT NOT NULL,
                source_suggestion JSONB)""",
            f"ALTER TABLE {self.decisions} ADD COLUMN IF NOT EXISTS order_total_usd NUMERIC(10, 2)",
            f"ALTER TABLE {self.decisions} ADD COLUMN IF NOT EXISTS approved BOOLEAN NOT NULL DEFAULT false",
            f"""CREATE OR REPLACE FUNCTION {self.suggested}(response TEXT) RETURNS NUMERIC
                LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
                DECLARE answer JSONB;
                BEGIN
                    answer := response::jsonb;
                    IF jsonb_typeof(answer -> 'refund_usd') = 'number' AND answer ? 'reason'
                       AND answer ->> 'refund_class' IN ('none', 'partial', 'full')
                       AND (answer ->> 'refund_usd')::numeric >= 0 THEN
                        RETURN round((answer ->> 'refund_usd')::numeric, 2);
                    END IF;
                    RETURN NULL;
                EXCEPTION WHEN others THEN
                    RETURN NULL;  -- not JSON: an unreadable answer, which the list always shows
                END $$"""]

    def _indexes(self) -> list[str]:
        return [f"CREATE INDEX IF NOT EXISTS pg_recommendations_newest ON {self.recs} "
                "((coalesce(ts, '-infinity'::timestamptz)) DESC, order_id DESC)"]

    def _total_sql(self, conn) -> str:
        if self._total is None:
            found = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                                 "AND column_name = 'order_total_usd'",
                                 (self.settings.recommendations_schema, self.settings.recommendations_table)).fetchone()
            self._total = "r.order_total_usd::numeric(10, 2)" if found else "NULL::numeric"
        return self._total

    def summary(self) -> dict:
        rows = self.db.run(lambda conn: conn.execute(
            f"SELECT r.agent_response, d.amount_usd FROM {self.recs} r "
            f"LEFT JOIN {self.decisions} d ON d.order_id = r.order_id").fetchall())
        by_class = {kind: 0 for kind in (*CLASSES, "error")}
        suggested = refunded = Decimal(0)
        decided = zero = 0
        for response, amount in rows:
            rec = parse_recommendation(response)
            by_class[rec["refund_class"]] += 1
            zero += rec["refund_class"] != "error" and rec["refund_usd"] == 0
            suggested += Decimal(str(rec["refund_usd"]))
            if amount is not None:
                decided += 1
                refunded += amount
        return {"recommendations": len(rows), "pending": len(rows) - decided, "decided": decided,
                "zero_usd": zero, "by_class": by_class, "suggested_usd": float(suggested),
                "refunded_usd": float(refunded)}

    def recommendations(self, status: str = "pending", limit: int = 50, after: str | None = None,
                        include_zero: bool = False) -> dict:
        """A page, newest first: {items, next (the cursor after it, or None), total (matching rows)}."""
        where = [{"pending": "d.order_id IS NULL", "decided": "d.order_id IS NOT NULL", "all": "true"}[status]]
        if not include_zero:  # a $0 recommendation needs no decision; decided ones stay visible
            where.append(f"({self.suggested}(r.agent_response) IS DISTINCT FROM 0 OR d.order_id IS NOT NULL)")
        args: list[Any] = []
        page = list(where)
        if after:
            page.append(f"({NEWEST}, r.order_id) < (%s::timestamptz, %s)")
            args += decode_cursor(after)

        def work(conn):
            total_sql = self._total_sql(conn)
            base = f"FROM {self.recs} r LEFT JOIN {self.decisions} d ON d.order_id = r.order_id"
            rows = conn.execute(
                f"SELECT r.order_id, r.ts, r.order_ts, r.agent_response, {total_sql}, d.amount_usd, d.refund_class, "
                f"d.reason, d.decided_by, d.decided_ts, d.approved {base} WHERE {' AND '.join(page)} "
                f"ORDER BY {NEWEST} DESC, r.order_id DESC LIMIT %s", (*args, limit + 1)).fetchall()
            total = conn.execute(f"SELECT count(*) {base} WHERE {' AND '.join(where)}").fetchone()[0]
            return rows, total

        rows, total = self.db.run(work)
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": [_row(*row) for row in rows], "total": total,
                "next": encode_cursor(rows[-1][1], rows[-1][0]) if more else None}

    def decide(self, decision: Decision) -> dict:
        def work(conn):
            with conn.transaction():
                found = conn.execute(f"SELECT r.agent_response, {self._total_sql(conn)} FROM {self.recs} r "
                                     "WHERE r.order_id = %s", (decision.order_id,)).fetchone()
                if found is None:
                    raise UnknownOrder(decision.order_id)
                suggestion, total = parse_recommendation(found[0]), found[1]
                rules.check(decision.refund_class, decision.amount_usd, total, suggestion["refund_class"],
                            decision.approver, self.settings.max_refund_usd, self.settings.approval_threshold_usd)
                approved = bool(rules.approval_reason(decision.refund_class, decision.amount_usd,
                                                      suggestion["refund_class"], self.settings.approval_threshold_usd))
                inserted = conn.execute(
                    f"INSERT INTO {self.decisions} (order_id, amount_usd, refund_class, reason, decided_by, "
                    "source_suggestion, order_total_usd, approved) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                    f"ON CONFLICT (order_id) DO NOTHING RETURNING {DECISION_COLUMNS}",
                    (decision.order_id, decision.amount_usd, decision.refund_class, decision.reason,
                     decision.decided_by, json.dumps(suggestion), total, approved)).fetchone()
                if inserted is None:
                    existing = conn.execute(f"SELECT {DECISION_COLUMNS} FROM {self.decisions} WHERE order_id = %s",
                                            (decision.order_id,)).fetchone()
                    raise Conflict(_decision(*existing))
                return _decision(*inserted)

        return self.db.run(work)


DECISION_COLUMNS = "order_id, amount_usd, refund_class, reason, decided_by, decided_ts, approved"


def _decision(order_id, amount, kind, reason, by, ts, approved=False) -> dict:
    return {"order_id": order_id, "amount_usd": float(amount), "refund_class": kind, "reason": reason,
            "decided_by": by, "decided_ts": ts.isoformat() if ts else None, "approved": bool(approved)}


def _row(order_id, ts, order_ts, response, total, amount, kind, reason, by, decided_ts, approved) -> dict:
    return {"order_id": order_id, "ts": ts.isoformat() if ts else None,
            "order_ts": order_ts.isoformat() if order_ts else None,
            "order_total_usd": float(total) if total is not None else None,
            "recommendation": parse_recommendation(response),
            "decision": _decision(order_id, amount, kind, reason, by, decided_ts, approved) if amount is not None else None}


def _why(err: Exception) -> str:
    text = str(err).lower()
    if "password authentication failed" in text or "authentication" in text:
        return ("the refunds database refused the app's credentials (an expired or wrong token, or no role for "
                "the app); check the app's database resource")
    return "the refunds database cannot be reached; check the Lakebase instance (locally: `make app-local`)"
