"""The support agent stream: every raw support request gets one report from the support agent's
endpoint, exactly once, into `support.support_agent_reports` (key support_request_id), on the streams'
engine (scoring.py).

The case sent to the agent carries what its policy needs, computed here for every request (the
original's stream sent none of it, so the policy's defaults always applied):
- `repeat_complaints_30d`: the user's other requests in the 30 days before this one (its own earlier
  attempts included), in the data's time (requests are stamped from their order's delivery);
- `risk_score`: how badly the order was served: the percent rank of its created-to-delivered
  minutes among its kitchen's delivered orders (0 fastest, 1 slowest; past 0.75 is past the
  kitchen's p75, late by the refund agent's own rule); 0.25, the original's default, when unknown.
  (An earlier version took the share of the user's abusive or spammy requests, so a spammer's
  single message scored 1.0 and drew the severe tier's 90% refund.)
- `policy_limit_usd`: the order's total (no offer beyond what was paid; 20 when the order is unknown).
An answer never valid is stored as an escalated report with no offer, which the console shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

from .scoring import Scoring

WINDOW = timedelta(days=30)
UNKNOWN_LIMIT, UNKNOWN_RISK = 20.0, 0.25


@dataclass(frozen=True)
class SupportCase:
    support_request_id: str
    user_id: str
    order_id: str
    ts: Any
    request_type: str
    request_text: str
    edge_case_type: str
    repeat_complaints_30d: int = 0
    risk_score: float = 0.0
    policy_limit_usd: float = UNKNOWN_LIMIT

    def payload(self) -> str:
        return json.dumps({k: v for k, v in vars(self).items() if k != "ts"}, sort_keys=True)


@dataclass(frozen=True)
class Report:
    support_request_id: str
    user_id: str
    order_id: str
    request_text: str
    ts: Any
    agent_response: str
    case_payload: str = ""  # the case the agent was sent, facts included (the console regenerates with it)


def cases(requests: Iterable[dict], history: Iterable[dict], totals: dict[str, float],
          lateness: dict[str, float] | None = None) -> list[SupportCase]:
    """The pending requests with their facts. `history`: the users' requests (any, including the
    pending ones) with support_request_id, user_id, ts; `totals` and `lateness` by order id."""
    by_user: dict[str, list[dict]] = {}
    for row in history:
        by_user.setdefault(row["user_id"], []).append(row)
    out = []
    for r in requests:
        earlier = [h for h in by_user.get(r["user_id"], [])
                   if r["ts"] - WINDOW <= h["ts"] < r["ts"] and h["support_request_id"] != r["support_request_id"]]
        total, late = totals.get(r["order_id"]), (lateness or {}).get(r["order_id"])
        out.append(SupportCase(
            r["support_request_id"], r["user_id"], r["order_id"], r["ts"], r["request_type"], r["request_text"],
            r["edge_case_type"], len(earlier), round(float(late), 2) if late is not None else UNKNOWN_RISK,
            round(float(total), 2) if total is not None else UNKNOWN_LIMIT))
    return out


def check(text: str) -> dict:
    from agents.support.agent import check_report

    return check_report(text)


def error_response(case: SupportCase, problem: str) -> str:
    reason = f"agent error, for a person to review: {problem}"[:300]
    return json.dumps({
        "support_request_id": case.support_request_id, "user_id": case.user_id, "order_id": case.order_id,
        "credit_recommendation": {"amount_usd": 0.0, "reason": reason},
        "refund_recommendation": {"amount_usd": 0.0, "reason": reason},
        "draft_response": "Thank you for your patience: a support lead is reviewing your request and will reply shortly.",
        "past_interactions_summary": "not available", "order_details_summary": "not available",
        "decision_confidence": "low", "escalation_flag": True})


SCORING = Scoring(
    key=lambda x: x.support_request_id, question=lambda case: case.payload(),
    row=lambda c, ts, text: Report(c.support_request_id, c.user_id, c.order_id, c.request_text, ts, text, c.payload()),
    check=check, error_response=error_response, is_error=lambda text: "agent error, for a person" in text)
