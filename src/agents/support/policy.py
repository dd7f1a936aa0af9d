"""The support policy: how much to refund and credit, whether to escalate, and the reply, decided
from the request alone, deterministically (the same case always gets the same offer).

Its inputs are the request's `edge_case_type` and text, and three facts the stream computes for
every request (the original's stream never sent them, so their defaults always applied):
`repeat_complaints_30d` (the user's other requests in the 30 days before), `risk_score` (the share
of the user's requests in those 30 days that were abusive or spammy) and `policy_limit_usd` (the
order's total: nothing beyond what was paid). The tiers are the original's:
- abusive language, or spam from a user with 4+ repeats and a low risk score: no refund, a credit of
  at most 3, escalated;
- severe (2+ repeats, risk 0.75+, or missing items and a delay together): refund 90% of the limit
  (at least 15, never above the limit), credit 25% of it between 5 and 10;
- moderate (one repeat, risk 0.45+, missing items or a delay): refund half the limit (at least 6),
  credit 15% between 3 and 7;
- minor: no refund, a goodwill credit of 10% between 2 and 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_RISK, DEFAULT_LIMIT = 0.25, 20.0


@dataclass(frozen=True)
class Resolution:
    refund_usd: float
    credit_usd: float
    escalate: bool
    confidence: str  # high | medium | low
    reason: str
    repeats: int
    tier: str = "minor"  # restricted | severe | moderate | minor: which of the tiers applied


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def resolve(case: dict) -> Resolution:
    text = str(case.get("request_text") or "").lower()
    edge = str(case.get("edge_case_type") or "standard")
    repeats = max(0, int(_number(case.get("repeat_complaints_30d"), 0)))
    risk = min(1.0, max(0.0, _number(case.get("risk_score"), DEFAULT_RISK)))
    limit = max(0.0, _number(case.get("policy_limit_usd"), DEFAULT_LIMIT))
    missing, late = "missing" in text, any(word in text for word in ("late", "delay"))

    def clamp(value: float, low: float, high: float) -> float:
        return round(min(limit, max(low, min(high, value))), 2)

    if edge == "abusive_language" or (edge == "spammy_escalation" and repeats >= 4 and risk < 0.4):
        return Resolution(0.0, round(min(3.0, limit), 2), True, "medium",
                          "Abusive or spammy pattern: compensation restricted, escalated to a person.", repeats,
                          "restricted")
    if repeats >= 2 or risk >= 0.75 or (missing and late):
        return Resolution(round(min(limit, max(limit * 0.9, 15.0)), 2), clamp(limit * 0.25, 5.0, 10.0), False, "high",
                          "Repeated or high-risk service failure.", repeats, "severe")
    if repeats == 1 or risk >= 0.45 or missing or late:
        return Resolution(round(min(limit, max(limit * 0.5, 6.0)), 2), clamp(limit * 0.15, 3.0, 7.0), False, "high",
                          "A service issue that affected the customer.", repeats, "moderate")
    return Resolution(0.0, clamp(limit * 0.1, 2.0, 5.0), False, "medium",
                      "A minor or non-compensable request: a goodwill credit.", repeats)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def reply(case: dict, resolution: Resolution) -> str:
    """The message to the customer: an apology (naming how often they have had to write), the
    concrete offer or the escalation, and the issue as they put it."""
    opening = "Thank you for reaching out, and I am sorry about this order."
    if resolution.repeats >= 2:
        opening = (f"This is the {_ordinal(resolution.repeats + 1)} time you have had to contact us about this, "
                   "and that should not happen.")
    offers = [f"a ${amount:.2f} {kind}" for amount, kind in ((resolution.refund_usd, "refund"),
                                                                (resolution.credit_usd, "credit")) if amount > 0]
    offer = (f"We have applied {' and '.join(offers)} to this order." if offers and not resolution.escalate
             else "A support lead is reviewing your case and will reply to you directly.")
    issue = str(case.get("request_text") or "").strip()
    return f"{opening} {offer}" + (f" Your note: \"{issue}\"" if issue else "")
