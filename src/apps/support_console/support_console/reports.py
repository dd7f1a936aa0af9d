"""A support report as the console shows it: the agent's SupportReport read defensively (anything
that is not one becomes a report that says so, never an error page), and the case the console sends
the agent to regenerate it."""

from __future__ import annotations

import json

CONFIDENCES = ("high", "medium", "low")


def _amount(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    usd, reason = value.get("amount_usd"), value.get("reason")
    if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd < 0 or not isinstance(reason, str):
        return None
    return {"amount_usd": round(float(usd), 2), "reason": reason}


def parse_report(text: str | None) -> dict:
    """{valid, credit, refund, draft_response, past_interactions_summary, order_details_summary,
    decision_confidence, escalation_flag}; valid False (and nothing offered) for an unreadable answer."""
    try:
        data = json.loads(text or "")
        credit, refund = _amount(data["credit_recommendation"]), _amount(data["refund_recommendation"])
        if credit is None or refund is None or data["decision_confidence"] not in CONFIDENCES \
                or not isinstance(data["escalation_flag"], bool) or not isinstance(data["draft_response"], str):
            raise ValueError("not a SupportReport")
        return {"valid": True, "credit": credit, "refund": refund, "draft_response": data["draft_response"],
                "past_interactions_summary": str(data.get("past_interactions_summary", "")),
                "order_details_summary": str(data.get("order_details_summary", "")),
                "decision_confidence": data["decision_confidence"], "escalation_flag": data["escalation_flag"]}
    except (ValueError, TypeError, KeyError):
        nothing = {"amount_usd": 0.0, "reason": "the report could not be read"}
        return {"valid": False, "credit": nothing, "refund": nothing, "draft_response": "",
                "past_interactions_summary": "", "order_details_summary": "", "decision_confidence": "low",
                "escalation_flag": True}


def case(row: dict) -> str:
    """What the agent is asked to regenerate a report: the case the stream sent (facts included), or
    the request's own fields when the report predates it."""
    try:
        sent = json.loads(row.get("case_payload") or "")
        if isinstance(sent, dict) and sent.get("support_request_id") == row["support_request_id"]:
            return json.dumps(sent, sort_keys=True)
    except ValueError:
        pass
    return json.dumps({k: row[k] for k in ("support_request_id", "user_id", "order_id", "request_text")},
                      sort_keys=True)
