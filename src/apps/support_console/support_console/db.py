"""Postgres (Lakebase): the synced reports (read only) and the console's own tables (written).

The console's tables are created when it starts (appkit's Database: idempotent, under an advisory
lock, so replicas may start together): `operator_actions` (refunds and credits applied, replies
sent), `support_replies` (one per reply token: a double submit sends one reply), `request_status`,
`response_ratings` (one per request; rating again replaces it) and `operator_regenerated_reports`
(with the operator's context). Indexes serve the list: newest first over the synced table, each
request's latest regenerated report, actions and replies by request. The list is keyset-paged and
searchable; the summary reads each report version once per process. The writes are workflow.py.
Every statement is parameterised; names are quoted.
"""

from __future__ import annotations

from typing import Callable

from appkit.fields import decode_cursor, encode_cursor
from appkit.postgres import Database, Unavailable
from appkit.postgres import quote as q

from .reports import display_name, parse_report, policy_limit, reply_texts
from .settings import Settings

__all__ = ["Unavailable", "UnknownRequest", "Store", "open_pool"]

STATUSES = ("pending", "in_progress", "resolved")
NEWEST = "coalesce(r.ts, '-infinity'::timestamptz)"  # the list's sort key, with the request id
COLUMNS = ("support_request_id", "user_id", "order_id", "request_text", "ts", "agent_response", "regenerated",
           "status", "case_payload")


class UnknownRequest(LookupError):
    pass


def open_pool(settings: Settings, token: Callable[[], str] | None = None):
    """The app's Lakebase pool (appkit/postgres.py): a fresh OAuth token per new connection."""
    from appkit.postgres import open_pool as pool

    return pool(settings, "support-console", token)


def _like(text: str) -> str:
    """`text` as a literal ILIKE pattern, matched anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Store:
    def __init__(self, pool, settings: Settings):
        self.settings = settings
        self.schema = q(settings.schema)
        s = self.schema
        self.reports = f"{s}.{q(settings.reports_table)}"
        self.actions, self.replies = f"{s}.operator_actions", f"{s}.support_replies"
        self.status, self.ratings = f"{s}.request_status", f"{s}.response_ratings"
        self.regenerated = f"{s}.operator_regenerated_reports"
        self._flags: dict[tuple[str, int], tuple[bool, bool]] = {}  # (request, version) -> (escalated, offered)
        self.db = Database(pool, f"support-console:{settings.schema}", self._tables, self._indexes,
                           f"{self.reports} does not exist yet: the support_lakebase stage's synced table fills it",
                           lambda err: "the support database cannot be reached, or refused the app's credentials; "
                                       "check the app's database resource and the Lakebase instance")

    def _tables(self) -> list[str]:
        from .tables import ddl

        return ddl(self)

    def _indexes(self) -> list[str]:  # on the synced table, which the sync owns: skipped if refused
        return [f"CREATE INDEX IF NOT EXISTS support_reports_newest ON {self.reports} "
                "((coalesce(ts, '-infinity'::timestamptz)) DESC, support_request_id DESC)",
                f"CREATE INDEX IF NOT EXISTS support_reports_by_user ON {self.reports} (user_id, ts DESC)"]

    # ---- reading ------------------------------------------------------------------------------
    def _latest(self) -> str:
        """Each report with its newest regenerated answer, if any, its status and its case."""
        return (f"SELECT r.support_request_id, r.user_id, r.order_id, r.request_text, r.ts, "
                f"coalesce(g.agent_response, r.agent_response) AS agent_response, g.regen_id IS NOT NULL AS regenerated, "
                f"coalesce(s.status, 'pending') AS status, r.case_payload FROM {self.reports} r "
                f"LEFT JOIN LATERAL (SELECT agent_response, regen_id FROM {self.regenerated} x "
                f"WHERE x.support_request_id = r.support_request_id ORDER BY regen_id DESC LIMIT 1) g ON true "
                f"LEFT JOIN {self.status} s ON s.support_request_id = r.support_request_id")

    def summary(self) -> dict:
        """Counts by status, escalated reports and reports with an offer. Reading a report means
        parsing its JSON, the costly part: each (request, regenerated version) is read once per
        process and its two flags kept (reports never change; a regeneration is a new version)."""
        def work(conn):
            current = conn.execute(
                f"SELECT r.support_request_id, coalesce(g.regen_id, 0), coalesce(s.status, 'pending') FROM "
                f"{self.reports} r LEFT JOIN LATERAL (SELECT regen_id FROM {self.regenerated} x WHERE "
                f"x.support_request_id = r.support_request_id ORDER BY regen_id DESC LIMIT 1) g ON true "
                f"LEFT JOIN {self.status} s ON s.support_request_id = r.support_request_id").fetchall()
            unread = [key for key, version, _ in current if (key, version) not in self._flags]
            if unread:
                for key, version, response in conn.execute(
                        f"SELECT r.support_request_id, coalesce(g.regen_id, 0), coalesce(g.agent_response, "
                        f"r.agent_response) FROM {self.reports} r LEFT JOIN LATERAL (SELECT regen_id, agent_response "
                        f"FROM {self.regenerated} x WHERE x.support_request_id = r.support_request_id ORDER BY "
                        "regen_id DESC LIMIT 1) g ON true WHERE r.support_request_id = ANY(%s)", (unread,)):
                    report = parse_report(response)
                    self._flags[(key, version)] = (report["escalation_flag"],
                                                   report["credit"]["amount_usd"] + report["refund"]["amount_usd"] > 0)
            applied = conn.execute(f"SELECT action_type, coalesce(sum(amount_usd), 0), count(*) FROM {self.actions} "
                                   "GROUP BY action_type").fetchall()
            return current, applied

        if len(self._flags) > 500_000:  # bounded: start again rather than grow without end
            self._flags.clear()
        current, applied = self.db.run(work)
        statuses = {s: 0 for s in STATUSES}
        escalated = offered = 0
        for key, version, status in current:
            statuses[status] += 1
            flags = self._flags.get((key, version), (True, False))
            escalated += flags[0]
            offered += flags[1]
        return {"reports": len(current), "by_status": statuses, "escalated": escalated, "with_offer": offered,
                "applied": {kind: {"count": n, "amount_usd": float(amount)} for kind, amount, n in applied}}

    def list(self, status: str = "all", limit: int = 50, after: str | None = None, search: str = "") -> dict:
        """A page, newest first, of the requests in `status` whose text, ids or user match `search`:
        {items, next (the cursor after it, or None), total (matching requests)}."""
        where, args = ["true"], []
        if status != "all":
            where.append("coalesce(s.status, 'pending') = %s")
            args.append(status)
        if search.strip():
            where.append("(r.request_text ILIKE %s OR r.support_request_id ILIKE %s OR r.user_id ILIKE %s "
                         "OR r.order_id ILIKE %s)")
            args += [_like(search.strip())] * 4
        page, page_args = list(where), list(args)
        if after:
            page.append(f"({NEWEST}, r.support_request_id) < (%s::timestamptz, %s)")
            page_args += decode_cursor(after)
        base = f"FROM {self.reports} r LEFT JOIN {self.status} s ON s.support_request_id = r.support_request_id"

        def work(conn):
            rows = conn.execute(
                f"SELECT r.support_request_id, r.user_id, r.order_id, r.request_text, r.ts, "
                f"coalesce(g.agent_response, r.agent_response), g.regen_id IS NOT NULL, coalesce(s.status, 'pending'), "
                f"r.case_payload {base} LEFT JOIN LATERAL (SELECT agent_response, regen_id FROM {self.regenerated} x "
                f"WHERE x.support_request_id = r.support_request_id ORDER BY regen_id DESC LIMIT 1) g ON true "
                f"WHERE {' AND '.join(page)} ORDER BY {NEWEST} DESC, r.support_request_id DESC LIMIT %s",
                (*page_args, limit + 1)).fetchall()
            total = conn.execute(f"SELECT count(*) {base} WHERE {' AND '.join(where)}", args).fetchone()[0]
            return rows, total

        rows, total = self.db.run(work)
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": [_report(*row) for row in rows], "total": total,
                "next": encode_cursor(rows[-1][4], rows[-1][0]) if more else None}

    def get(self, request_id: str) -> dict:
        def work(conn):
            found = conn.execute(f"SELECT * FROM ({self._latest()}) x WHERE x.support_request_id = %s",
                                 (request_id,)).fetchone()
            if found is None:
                raise UnknownRequest(request_id)
            item = _report(*found)
            item["history"] = [_report(*row) for row in conn.execute(
                f"SELECT * FROM ({self._latest()}) x WHERE x.user_id = %s AND x.support_request_id <> %s "
                "ORDER BY x.ts DESC NULLS LAST LIMIT 10", (item["user_id"], request_id)).fetchall()]
            item["actions"] = [{"action_type": a, "amount_usd": float(m) if m is not None else None, "actor": who,
                                "created_at": ts.isoformat()} for a, m, who, ts in conn.execute(
                f"SELECT action_type, amount_usd, actor, created_at FROM {self.actions} "
                "WHERE support_request_id = %s ORDER BY action_id", (request_id,)).fetchall()]
            item["replies"] = [{"message_text": text, "sent_by": who, "created_at": ts.isoformat()}
                               for text, who, ts in conn.execute(
                f"SELECT message_text, sent_by, created_at FROM {self.replies} WHERE support_request_id = %s "
                "ORDER BY reply_id", (request_id,)).fetchall()]
            item["regenerations"] = [{"operator_context": context, "actor": who, "created_at": ts.isoformat()}
                                     for context, who, ts in conn.execute(
                f"SELECT operator_context, actor, created_at FROM {self.regenerated} WHERE support_request_id = %s "
                "ORDER BY regen_id", (request_id,)).fetchall()]
            rating = conn.execute(f"SELECT rating, reason_code, feedback_notes, actor FROM {self.ratings} "
                                  "WHERE support_request_id = %s", (request_id,)).fetchone()
            item["rating"] = dict(zip(("rating", "reason_code", "feedback_notes", "actor"), rating)) if rating else None
            item["reply_texts"] = reply_texts(item["report"], item["user_id"])
            return item

        return self.db.run(work)

    def case_of(self, request_id: str) -> dict:
        """The request as the agent stream sent it (`case_payload`: its facts included)."""
        def work(conn):
            found = conn.execute(f"SELECT support_request_id, user_id, order_id, request_text, case_payload FROM "
                                 f"{self.reports} WHERE support_request_id = %s", (request_id,)).fetchone()
            if found is None:
                raise UnknownRequest(request_id)
            return dict(zip(("support_request_id", "user_id", "order_id", "request_text", "case_payload"), found))

        return self.db.run(work)


def _report(request_id, user_id, order_id, text, ts, response, regenerated, status, case_payload=None) -> dict:
    return {"support_request_id": request_id, "user_id": user_id, "customer": display_name(user_id),
            "order_id": order_id, "request_text": text, "ts": ts.isoformat() if ts else None, "status": status,
            "regenerated": bool(regenerated), "order_limit_usd": policy_limit(case_payload),
            "report": parse_report(response, user_id)}

