"""Postgres (Lakebase): the synced reports (read only) and the console's own tables (written).

The console's tables are created when it starts, idempotently: `operator_actions` (refunds and
credits applied, replies sent), `support_replies`, `request_status`, `response_ratings` (one rating
per request, which a second rating replaces) and `operator_regenerated_reports`. A refund or a
credit is applied at most once per request (a unique index): of two operators applying it at once,
one wins and the other is told (409). Every statement is parameterised; names are quoted.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

from appkit.postgres import Unavailable, run
from appkit.postgres import quote as q

from .reports import parse_report
from .settings import Settings

__all__ = ["Unavailable", "UnknownRequest", "AlreadyApplied", "Store", "open_pool"]

STATUSES = ("pending", "in_progress", "resolved")


class UnknownRequest(LookupError):
    pass


class AlreadyApplied(RuntimeError):
    def __init__(self, existing: dict):
        super().__init__(f"{existing['action_type']} was already applied to {existing['support_request_id']}")
        self.existing = existing


def open_pool(settings: Settings, token: Callable[[], str] | None = None):
    """The app's Lakebase pool (appkit/postgres.py): a fresh OAuth token per new connection."""
    from appkit.postgres import open_pool as pool

    return pool(settings, "support-console", token)


class Store:
    def __init__(self, pool, settings: Settings):
        self.pool, self.settings = pool, settings
        s = q(settings.schema)
        self.reports = f"{s}.{q(settings.reports_table)}"
        self.actions, self.replies = f"{s}.operator_actions", f"{s}.support_replies"
        self.status, self.ratings = f"{s}.request_status", f"{s}.response_ratings"
        self.regenerated = f"{s}.operator_regenerated_reports"

    def _run(self, work: Callable[[Any], Any]) -> Any:
        return run(self.pool, work, f"{self.reports} does not exist yet: the support_lakebase stage's synced table "
                                    "fills it", lambda err: "the support database cannot be reached, or refused the "
                   "app's credentials; check the app's database resource and the Lakebase instance")

    def create_tables(self) -> None:
        self._run(lambda conn: conn.execute(f"""
            CREATE SCHEMA IF NOT EXISTS {q(self.settings.schema)};
            CREATE TABLE IF NOT EXISTS {self.actions} (
                action_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, order_id TEXT, user_id TEXT,
                action_type TEXT NOT NULL CHECK (action_type IN ('apply_refund', 'apply_credit', 'send_reply')),
                amount_usd NUMERIC(10, 2) CHECK (amount_usd >= 0), payload JSONB,
                status TEXT NOT NULL DEFAULT 'recorded', actor TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE UNIQUE INDEX IF NOT EXISTS operator_actions_once ON {self.actions} (support_request_id, action_type)
                WHERE action_type IN ('apply_refund', 'apply_credit');
            CREATE TABLE IF NOT EXISTS {self.replies} (
                reply_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, order_id TEXT, user_id TEXT,
                message_text TEXT NOT NULL, sent_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {self.status} (
                support_request_id TEXT PRIMARY KEY,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'resolved')),
                assigned_to TEXT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), last_action TEXT, notes TEXT);
            CREATE TABLE IF NOT EXISTS {self.ratings} (
                rating_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL UNIQUE, order_id TEXT, user_id TEXT,
                rating TEXT NOT NULL CHECK (rating IN ('thumbs_up', 'thumbs_down')), reason_code TEXT,
                feedback_notes TEXT, actor TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {self.regenerated} (
                regen_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, agent_response TEXT NOT NULL,
                actor TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())"""))

    # ---- reading ------------------------------------------------------------------------------
    def _latest(self) -> str:
        """Each report with its newest regenerated answer, if any, and its status."""
        return (f"SELECT r.support_request_id, r.user_id, r.order_id, r.request_text, r.ts, "
                f"coalesce(g.agent_response, r.agent_response) AS agent_response, g.regen_id IS NOT NULL, "
                f"coalesce(s.status, 'pending') FROM {self.reports} r "
                f"LEFT JOIN LATERAL (SELECT agent_response, regen_id FROM {self.regenerated} x "
                f"WHERE x.support_request_id = r.support_request_id ORDER BY regen_id DESC LIMIT 1) g ON true "
                f"LEFT JOIN {self.status} s ON s.support_request_id = r.support_request_id")

    def summary(self) -> dict:
        rows = self._run(lambda conn: conn.execute(f"SELECT agent_response, status FROM ({self._latest()}) x "
                                                   "(a, b, c, d, e, agent_response, f, status)").fetchall())
        statuses = {s: 0 for s in STATUSES}
        escalated = offered = 0
        for response, status in rows:
            statuses[status] += 1
            report = parse_report(response)
            escalated += report["escalation_flag"]
            offered += report["credit"]["amount_usd"] + report["refund"]["amount_usd"] > 0
        applied = self._run(lambda conn: conn.execute(
            f"SELECT action_type, coalesce(sum(amount_usd), 0), count(*) FROM {self.actions} GROUP BY action_type"
        ).fetchall())
        return {"reports": len(rows), "by_status": statuses, "escalated": escalated, "with_offer": offered,
                "applied": {kind: {"count": n, "amount_usd": float(total)} for kind, total, n in applied}}

    def list(self, status: str = "all", limit: int = 50, offset: int = 0) -> list[dict]:
        where = "" if status == "all" else "WHERE x.status = %s"
        args = (() if status == "all" else (status,)) + (limit, offset)
        sql = (f"SELECT * FROM ({self._latest()}) x (support_request_id, user_id, order_id, request_text, ts, "
               f"agent_response, regenerated, status) {where} ORDER BY x.ts DESC NULLS LAST, x.support_request_id "
               "LIMIT %s OFFSET %s")
        return [_report(*row) for row in self._run(lambda conn: conn.execute(sql, args).fetchall())]

    def get(self, request_id: str) -> dict:
        def work(conn):
            found = conn.execute(f"SELECT * FROM ({self._latest()}) x (support_request_id, user_id, order_id, "
                                 "request_text, ts, agent_response, regenerated, status) "
                                 "WHERE x.support_request_id = %s", (request_id,)).fetchone()
            if found is None:
                raise UnknownRequest(request_id)
            item = _report(*found)
            item["history"] = [_report(*row) for row in conn.execute(
                f"SELECT * FROM ({self._latest()}) x (support_request_id, user_id, order_id, request_text, ts, "
                "agent_response, regenerated, status) WHERE x.user_id = %s AND x.support_request_id <> %s "
                "ORDER BY x.ts DESC NULLS LAST LIMIT 10", (item["user_id"], request_id)).fetchall()]
            item["actions"] = [{"action_type": a, "amount_usd": float(m) if m is not None else None, "actor": who,
                                "created_at": ts.isoformat()} for a, m, who, ts in conn.execute(
                f"SELECT action_type, amount_usd, actor, created_at FROM {self.actions} "
                "WHERE support_request_id = %s ORDER BY action_id", (request_id,)).fetchall()]
            item["replies"] = [{"message_text": text, "sent_by": who, "created_at": ts.isoformat()}
                               for text, who, ts in conn.execute(
                f"SELECT message_text, sent_by, created_at FROM {self.replies} WHERE support_request_id = %s "
                "ORDER BY reply_id", (request_id,)).fetchall()]
            rating = conn.execute(f"SELECT rating, reason_code, feedback_notes, actor FROM {self.ratings} "
                                  "WHERE support_request_id = %s", (request_id,)).fetchone()
            item["rating"] = dict(zip(("rating", "reason_code", "feedback_notes", "actor"), rating)) if rating else None
            return item

        return self._run(work)

    # ---- acting -------------------------------------------------------------------------------
    def _request(self, conn, request_id: str) -> tuple[str, str]:
        found = conn.execute(f"SELECT order_id, user_id FROM {self.reports} WHERE support_request_id = %s",
                             (request_id,)).fetchone()
        if found is None:
            raise UnknownRequest(request_id)
        return found

    def _set_status(self, conn, request_id: str, status: str, action: str, actor: str) -> None:
        conn.execute(f"INSERT INTO {self.status} (support_request_id, status, assigned_to, last_action, updated_at) "
                     "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (support_request_id) DO UPDATE SET "
                     "status = EXCLUDED.status, assigned_to = EXCLUDED.assigned_to, "
                     "last_action = EXCLUDED.last_action, updated_at = now()", (request_id, status, actor, action))

    def apply(self, request_id: str, action: str, amount: Decimal, actor: str) -> dict:
        """apply_refund or apply_credit, once per request."""
        def work(conn):
            with conn.transaction():
                order_id, user_id = self._request(conn, request_id)
                inserted = conn.execute(
                    f"INSERT INTO {self.actions} (support_request_id, order_id, user_id, action_type, amount_usd, "
                    "actor) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING action_id",
                    (request_id, order_id, user_id, action, amount, actor)).fetchone()
                if inserted is None:
                    who, howmuch = conn.execute(
                        f"SELECT actor, amount_usd FROM {self.actions} WHERE support_request_id = %s AND "
                        "action_type = %s", (request_id, action)).fetchone()
                    raise AlreadyApplied({"support_request_id": request_id, "action_type": action,
                                          "actor": who, "amount_usd": float(howmuch)})
                self._set_status(conn, request_id, "in_progress", action, actor)
                return {"support_request_id": request_id, "action_type": action, "amount_usd": float(amount),
                        "actor": actor}

        return self._run(work)

    def reply(self, request_id: str, message: str, actor: str) -> dict:
        def work(conn):
            with conn.transaction():
                order_id, user_id = self._request(conn, request_id)
                conn.execute(f"INSERT INTO {self.replies} (support_request_id, order_id, user_id, message_text, "
                             "sent_by) VALUES (%s, %s, %s, %s, %s)", (request_id, order_id, user_id, message, actor))
                conn.execute(f"INSERT INTO {self.actions} (support_request_id, order_id, user_id, action_type, "
                             "payload, actor) VALUES (%s, %s, %s, 'send_reply', %s, %s)",
                             (request_id, order_id, user_id, json.dumps({"chars": len(message)}), actor))
                self._set_status(conn, request_id, "resolved", "send_reply", actor)
                return {"support_request_id": request_id, "message_text": message, "sent_by": actor}

        return self._run(work)

    def rate(self, request_id: str, rating: str, reason: str | None, notes: str | None, actor: str) -> dict:
        """One rating per request; rating again replaces it."""
        def work(conn):
            with conn.transaction():
                order_id, user_id = self._request(conn, request_id)
                conn.execute(
                    f"INSERT INTO {self.ratings} (support_request_id, order_id, user_id, rating, reason_code, "
                    "feedback_notes, actor) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (support_request_id) "
                    "DO UPDATE SET rating = EXCLUDED.rating, reason_code = EXCLUDED.reason_code, "
                    "feedback_notes = EXCLUDED.feedback_notes, actor = EXCLUDED.actor, created_at = now()",
                    (request_id, order_id, user_id, rating, reason, notes, actor))
                return {"support_request_id": request_id, "rating": rating, "reason_code": reason, "actor": actor}

        return self._run(work)

    def case_of(self, request_id: str) -> dict:
        """The request as the agent stream sent it (`case_payload`: its facts included)."""
        def work(conn):
            found = conn.execute(f"SELECT support_request_id, user_id, order_id, request_text, case_payload FROM "
                                 f"{self.reports} WHERE support_request_id = %s", (request_id,)).fetchone()
            if found is None:
                raise UnknownRequest(request_id)
            return dict(zip(("support_request_id", "user_id", "order_id", "request_text", "case_payload"), found))

        return self._run(work)

    def save_regenerated(self, request_id: str, answer: str, actor: str) -> None:
        self._run(lambda conn: conn.execute(f"INSERT INTO {self.regenerated} (support_request_id, agent_response, "
                                            "actor) VALUES (%s, %s, %s)", (request_id, answer, actor)))


def _report(request_id, user_id, order_id, text, ts, response, regenerated, status) -> dict:
    return {"support_request_id": request_id, "user_id": user_id, "order_id": order_id, "request_text": text,
            "ts": ts.isoformat() if ts else None, "status": status, "regenerated": bool(regenerated),
            "report": parse_report(response)}
