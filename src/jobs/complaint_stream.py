"""The complaint agent stream: every raw complaint triaged exactly once by the complaint agent's
endpoint, into `complaints.complaint_responses` (key `complaint_id`). The engine is scoring.py; an
item is a raw complaint, the question is `<text> (Order ID: <id>)` (the original's shape), and an
answer never valid is stored as an urgent-free standard escalation saying why, so a person sees it.

Fixed from the original (caspers-stages.md §3.1): a per-run cap and bounded concurrency (it called the
endpoint for every complaint at once, in a UDF), retries only for what may pass, and an error row
that is a valid ComplaintResponse (its fallback carried fields the agent does not have).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .scoring import Scoring


@dataclass(frozen=True)
class RawComplaint:
    complaint_id: str
    order_id: str
    complaint_text: str
    ts: Any = None


@dataclass(frozen=True)
class Response:
    complaint_id: str
    order_id: str
    ts: Any
    agent_response: str


def check(text: str) -> dict:
    from agents.common.answers import parse_answer
    from agents.complaint.agent import FIELDS, RULES

    return parse_answer(text, FIELDS, RULES)


def error_response(complaint: RawComplaint, problem: str) -> str:
    return json.dumps({"order_id": complaint.order_id, "complaint_category": "other", "decision": "escalate",
                       "credit_amount": None, "confidence": None, "priority": "standard",
                       "rationale": f"agent error, for a person to review: {problem}"[:1000]})


def question(complaint: RawComplaint) -> str:
    from agents.complaint.agent import question as ask_about

    return ask_about(complaint.complaint_text, complaint.order_id)


SCORING = Scoring(
    key=lambda x: x.complaint_id, question=question,
    row=lambda c, ts, text: Response(c.complaint_id, c.order_id, ts, text),
    check=check, error_response=error_response, is_error=lambda text: "agent error, for a person" in text)
