"""What an operator does to a request, each in one transaction that first takes the request's
advisory lock (so two operators, or a double click, act one after the other):

- apply a refund or a credit: at most once each per request (a unique index; the second gets 409),
  never more than the order's total (the bound the stream put in the case; `max_amount_usd` when a
  row has none), and above the approval threshold or above the report's own offer only by an
  approver (403 otherwise);
- reply: with the recommended offers applied in the same transaction, or with nothing applied, as
  the operator chooses; a reply that states a refund or credit that is not applied is refused (422)
  and nothing is written; a reply token makes a double submit one reply (the second gets the first
  back); the request is then resolved;
- rate the report (one rating per request, with a reason code; a thumbs down needs one);
- keep a regenerated report, with the operator's context.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from appkit.http import Refused
from appkit.identity import Identity

from .db import Store, UnknownRequest
from .reports import claimed_offers, parse_report, policy_limit

KINDS = {"apply_refund": "refund", "apply_credit": "credit"}
CENT = Decimal("0.01")


class AlreadyApplied(RuntimeError):
    def __init__(self, existing: dict):
        super().__init__(f"{existing['action_type']} was already applied to {existing['support_request_id']}")
        self.existing = existing


def _lock(conn, request_id: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('support-request:' || %s))", (request_id,))


def _request(store: Store, conn, request_id: str) -> dict:
    found = conn.execute(
        f"SELECT r.order_id, r.user_id, r.case_payload, coalesce((SELECT agent_response FROM {store.regenerated} x "
        f"WHERE x.support_request_id = r.support_request_id ORDER BY regen_id DESC LIMIT 1), r.agent_response) "
        f"FROM {store.reports} r WHERE r.support_request_id = %s", (request_id,)).fetchone()
    if found is None:
        raise UnknownRequest(request_id)
    order_id, user_id, case_payload, response = found
    return {"order_id": order_id, "user_id": user_id, "limit": policy_limit(case_payload),
            "report": parse_report(response, user_id)}


def _set_status(store: Store, conn, request_id: str, status: str, action: str, actor: str, force: bool) -> None:
    """`status`, or only out of pending (`force` False: an action on a resolved request keeps it resolved)."""
    guard = "" if force else f" WHERE {store.status}.status = 'pending'"
    conn.execute(f"INSERT INTO {store.status} (support_request_id, status, assigned_to, last_action, updated_at) "
                 "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (support_request_id) DO UPDATE SET "
                 "status = EXCLUDED.status, assigned_to = EXCLUDED.assigned_to, last_action = EXCLUDED.last_action, "
                 f"updated_at = now(){guard}", (request_id, status, actor, action))


def check_amount(store: Store, request: dict, action: str, amount: Decimal, who: Identity) -> None:
    limit = request["limit"] if request["limit"] is not None else store.settings.max_amount_usd
    limit = Decimal(str(limit)).quantize(CENT)
    if amount > limit:
        what = "the order's total" if request["limit"] is not None else "the largest amount (the order's total is not known)"
        raise Refused(422, "INVALID_REQUEST", f"amount_usd: at most {limit} ({what}); got {amount}")
    offered = Decimal(str(request["report"][KINDS[action]]["amount_usd"])).quantize(CENT)
    threshold = Decimal(str(store.settings.approval_threshold_usd)).quantize(CENT)
    why = (f"{amount} is above the approval threshold of {threshold}" if amount > threshold else
           f"{amount} is more than the report's {KINDS[action]} of {offered}" if amount > offered else "")
    if why and not who.approver:
        raise Refused(403, "APPROVAL_REQUIRED", f"{why}: only an approver may apply it (the app's APPROVERS setting)")


def _insert_action(store: Store, conn, request_id: str, request: dict, action: str, amount: Decimal, who: Identity):
    check_amount(store, request, action, amount, who)
    inserted = conn.execute(
        f"INSERT INTO {store.actions} (support_request_id, order_id, user_id, action_type, amount_usd, actor) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING action_id",
        (request_id, request["order_id"], request["user_id"], action, amount, who.user)).fetchone()
    if inserted is None:
        actor, howmuch = conn.execute(f"SELECT actor, amount_usd FROM {store.actions} WHERE support_request_id = %s "
                                      "AND action_type = %s", (request_id, action)).fetchone()
        raise AlreadyApplied({"support_request_id": request_id, "action_type": action, "actor": actor,
                              "amount_usd": float(howmuch)})


def apply(store: Store, request_id: str, action: str, amount: Decimal, who: Identity) -> dict:
    """apply_refund or apply_credit, once per request."""
    def work(conn):
        with conn.transaction():
            _lock(conn, request_id)
            request = _request(store, conn, request_id)
            _insert_action(store, conn, request_id, request, action, amount, who)
            _set_status(store, conn, request_id, "in_progress", action, who.user, force=False)
            return {"support_request_id": request_id, "action_type": action, "amount_usd": float(amount),
                    "actor": who.user}

    return store.db.run(work)


def _applied(store: Store, conn, request_id: str) -> dict[str, float]:
    return {KINDS[kind]: float(amount) for kind, amount in conn.execute(
        f"SELECT action_type, amount_usd FROM {store.actions} WHERE support_request_id = %s "
        "AND action_type IN ('apply_refund', 'apply_credit')", (request_id,)).fetchall()}


def _untrue(message: str, applied: dict[str, float]) -> str:
    for kind, amount in claimed_offers(message):
        if applied.get(kind) != amount:
            now = f"the {kind} applied is ${applied[kind]:.2f}" if kind in applied else f"no {kind} is applied"
            return f"message_text: the reply says a ${amount:.2f} {kind} was given, but {now}; change the text"
    return ""


def reply(store: Store, request_id: str, message: str, apply_recommended: bool, token: str,
          who: Identity) -> tuple[dict, bool]:
    """The reply sent (and whether it is new: False for a token already used, whose reply is returned)."""
    def work(conn):
        with conn.transaction():
            _lock(conn, request_id)
            request = _request(store, conn, request_id)
            sent = conn.execute(f"SELECT message_text, sent_by FROM {store.replies} WHERE support_request_id = %s "
                                "AND reply_token = %s", (request_id, token)).fetchone()
            if sent:
                return _sent(request_id, sent[0], sent[1], _applied(store, conn, request_id)), False
            applied = _applied(store, conn, request_id)
            if apply_recommended:
                for action, kind in KINDS.items():
                    amount = Decimal(str(request["report"][kind]["amount_usd"])).quantize(CENT)
                    if amount > 0 and kind not in applied:
                        _insert_action(store, conn, request_id, request, action, amount, who)
                applied = _applied(store, conn, request_id)
            problem = _untrue(message, applied)
            if problem:
                raise Refused(422, "UNTRUE_REPLY", problem)
            conn.execute(f"INSERT INTO {store.replies} (support_request_id, order_id, user_id, message_text, sent_by, "
                         "reply_token) VALUES (%s, %s, %s, %s, %s, %s)",
                         (request_id, request["order_id"], request["user_id"], message, who.user, token))
            conn.execute(f"INSERT INTO {store.actions} (support_request_id, order_id, user_id, action_type, payload, "
                         "actor) VALUES (%s, %s, %s, 'send_reply', %s, %s)",
                         (request_id, request["order_id"], request["user_id"],
                          json.dumps({"chars": len(message), "applied": applied}), who.user))
            _set_status(store, conn, request_id, "resolved", "send_reply", who.user, force=True)
            return _sent(request_id, message, who.user, applied), True

    return store.db.run(work)


def _sent(request_id: str, message: str, by: str, applied: dict[str, float]) -> dict:
    return {"support_request_id": request_id, "message_text": message, "sent_by": by, "applied": applied,
            "status": "resolved"}


def rate(store: Store, request_id: str, rating: str, reason: str | None, notes: str | None, who: Identity) -> dict:
    """One rating per request; rating again replaces it."""
    def work(conn):
        with conn.transaction():
            request = _request(store, conn, request_id)
            conn.execute(
                f"INSERT INTO {store.ratings} (support_request_id, order_id, user_id, rating, reason_code, "
                "feedback_notes, actor) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (support_request_id) "
                "DO UPDATE SET rating = EXCLUDED.rating, reason_code = EXCLUDED.reason_code, "
                "feedback_notes = EXCLUDED.feedback_notes, actor = EXCLUDED.actor, created_at = now()",
                (request_id, request["order_id"], request["user_id"], rating, reason, notes, who.user))
            return {"support_request_id": request_id, "rating": rating, "reason_code": reason, "actor": who.user}

    return store.db.run(work)


def previous_report(store: Store, request_id: str) -> dict:
    return store.db.run(lambda conn: _request(store, conn, request_id)["report"])


def save_regenerated(store: Store, request_id: str, answer: str, context: str, who: Identity) -> Any:
    def work(conn):
        with conn.transaction():
            conn.execute(f"INSERT INTO {store.regenerated} (support_request_id, agent_response, actor, operator_context) "
                         "VALUES (%s, %s, %s, %s)", (request_id, answer, who.user, context or None))
            _set_status(store, conn, request_id, "in_progress", "regenerate_report", who.user, force=False)

    store.db.run(work)
