"""A support report as the console shows it: the agent's SupportReport read defensively (anything
that is not one becomes a report that says so, never an error page), its draft made fit for the
customer, the texts a reply can start from, and the case the console sends the agent to regenerate.

Draft sanitising: the customer never sees internal identifiers: a user id becomes a display name
(the same one for the same user everywhere), an order's UUID or hex id becomes "your order".

A reply must not state what is not so: `claimed_offers` finds the amounts a text says were refunded
or credited ("a $9.00 refund", "credit of $3"), which the console compares with what is applied."""

from __future__ import annotations

import hashlib
import json
import re

CONFIDENCES = ("high", "medium", "low")
FIRST = ("Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Jamie", "Avery", "Dana", "Quinn", "Kai", "Noa")
LAST = ("Rivera", "Chen", "Okafor", "Larsen", "Moreau", "Silva", "Novak", "Haddad", "Kimura", "Walsh", "Ortiz")
USER_ID = re.compile(r"\buser-\d+\b", re.IGNORECASE)
ORDER_IDS = (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE),
             re.compile(r"\b[0-9a-f]{32}\b", re.IGNORECASE))
ORDER_WORD = re.compile(r"\border\s+(?=your order\b)", re.IGNORECASE)  # "order your order" reads "your order"
MONEY = r"\$\s?(\d{1,7}(?:\.\d{1,2})?)"
OFFER = re.compile(rf"{MONEY}\s+(refund|credit)|\b(refund|credit)\s+of\s+{MONEY}", re.IGNORECASE)


def display_name(user_id: str | None) -> str:
    """A stable, made-up name for a user id (the demo has no real names)."""
    if not user_id:
        return "there"
    n = int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16)
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"


def sanitise(draft: str, user_id: str | None) -> str:
    text = USER_ID.sub(display_name(user_id), draft)
    for pattern in ORDER_IDS:
        text = pattern.sub("your order", text)
    text = ORDER_WORD.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _amount(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    usd, reason = value.get("amount_usd"), value.get("reason")
    if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd < 0 or not isinstance(reason, str):
        return None
    return {"amount_usd": round(float(usd), 2), "reason": reason}


def parse_report(text: str | None, user_id: str | None = None) -> dict:
    """{valid, credit, refund, draft_response (sanitised), past_interactions_summary,
    order_details_summary, decision_confidence, escalation_flag}; valid False (and nothing offered)
    for an unreadable answer."""
    try:
        data = json.loads(text or "")
        credit, refund = _amount(data["credit_recommendation"]), _amount(data["refund_recommendation"])
        if credit is None or refund is None or data["decision_confidence"] not in CONFIDENCES \
                or not isinstance(data["escalation_flag"], bool) or not isinstance(data["draft_response"], str):
            raise ValueError("not a SupportReport")
        return {"valid": True, "credit": credit, "refund": refund,
                "draft_response": sanitise(data["draft_response"], user_id),
                "past_interactions_summary": str(data.get("past_interactions_summary", "")),
                "order_details_summary": str(data.get("order_details_summary", "")),
                "decision_confidence": data["decision_confidence"], "escalation_flag": data["escalation_flag"]}
    except (ValueError, TypeError, KeyError, AttributeError):
        nothing = {"amount_usd": 0.0, "reason": "the report could not be read"}
        return {"valid": False, "credit": nothing, "refund": nothing, "draft_response": "",
                "past_interactions_summary": "", "order_details_summary": "", "decision_confidence": "low",
                "escalation_flag": True}


def reply_texts(report: dict, user_id: str | None) -> dict:
    """What a reply can start from: `recommended`, the agent's draft, which announces the report's
    offers (sent with them applied); `nothing`, a text that promises nothing (sent without them)."""
    name = display_name(user_id)
    if report["escalation_flag"]:
        nothing = (f"Hi {name}, thank you for your patience. A support lead is reviewing your request "
                   "and will reply to you directly.")
    else:
        nothing = (f"Hi {name}, thank you for reaching out. We have looked into your request; no refund or "
                   "credit is being issued for this order.")
    return {"recommended": report["draft_response"] or nothing, "nothing": nothing}


def claimed_offers(text: str) -> list[tuple[str, float]]:
    """(kind, amount) for every refund or credit the text states, e.g. [("refund", 9.0)]."""
    found = []
    for m in OFFER.finditer(text):
        amount, kind = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        found.append((kind.lower(), round(float(amount), 2)))
    return found


def policy_limit(case_payload: str | None) -> float | None:
    """The bound the stream computed for the case (the order's total), when the row carries it."""
    try:
        value = json.loads(case_payload or "").get("policy_limit_usd")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    except (ValueError, AttributeError):
        return None


def case(row: dict, operator_context: str = "", previous: dict | None = None) -> str:
    """What the agent is asked to regenerate a report: the case the stream sent (facts included), or
    the request's own fields when the report predates it; with the operator's context and the
    previous report's offers when given."""
    sent = None
    try:
        sent = json.loads(row.get("case_payload") or "")
    except ValueError:
        pass
    if not (isinstance(sent, dict) and sent.get("support_request_id") == row["support_request_id"]):
        sent = {k: row[k] for k in ("support_request_id", "user_id", "order_id", "request_text")}
    if operator_context:
        sent["operator_context"] = operator_context
    if previous and previous.get("valid"):
        sent["previous_report"] = {"refund_usd": previous["refund"]["amount_usd"],
                                   "credit_usd": previous["credit"]["amount_usd"],
                                   "escalated": previous["escalation_flag"]}
    return json.dumps(sent, sort_keys=True)
