"""Deterministic judgments of one answer against its labelled case, and their MLflow scorers.

`judge(case, text)` gives every check of the case: True (passed), False (failed) or None (does not
apply, e.g. a credit's bounds when the expected decision is an escalation). An answer the agent could
not produce (its text starts with "ERROR:") or that is not a valid answer fails every check."""

from __future__ import annotations

import json
from typing import Any

from .cases import Case

CENT = 0.01  # amounts are to the cent: one cent of rounding either side of a bound passes


def _accepts(expected: Any, got: Any) -> bool:
    return got in expected if isinstance(expected, list) else got == expected


def _within(bounds: list, got: Any) -> bool:
    low, high = bounds
    return isinstance(got, (int, float)) and not isinstance(got, bool) and low - CENT <= got <= high + CENT


def parse(agent: str, text: str) -> dict | None:
    """The agent's answer as its own checks read it, or None when it is not a valid answer."""
    from ..common.answers import InvalidAnswer, parse_answer

    if not text or text.startswith("ERROR:"):
        return None
    try:
        if agent == "refund":
            from ..refund.agent import FIELDS

            return parse_answer(text, FIELDS)
        if agent == "complaint":
            from ..complaint.agent import FIELDS, RULES

            return parse_answer(text, FIELDS, RULES)
        from ..support.agent import check_report

        return check_report(text)
    except InvalidAnswer:
        return None


def judge(case: Case, text: str) -> dict[str, bool | None]:
    answer = parse(case.agent, text)
    checks = _CHECKS[case.agent](case, answer or {})
    return {"valid": answer is not None, **({k: (False if v is not None else None) for k, v in checks.items()}
                                           if answer is None else checks)}


def _refund(case: Case, answer: dict) -> dict:
    expect = case.expect
    return {"refund_class": _accepts(expect["refund_class"], answer.get("refund_class")),
            "refund_usd": _within(expect["refund_usd"], answer.get("refund_usd"))}


def _complaint(case: Case, answer: dict) -> dict:
    expect = case.expect
    credit_expected = "credit_amount" in expect and answer.get("decision") == "suggest_credit"
    return {"complaint_category": _accepts(expect["complaint_category"], answer.get("complaint_category")),
            "decision": _accepts(expect["decision"], answer.get("decision")),
            "priority": _accepts(expect["priority"], answer.get("priority")) if "priority" in expect else None,
            "credit_amount": _within(expect["credit_amount"], answer.get("credit_amount")) if credit_expected else None}


def _support(case: Case, answer: dict) -> dict:
    expect = case.expect
    summaries = " ".join(str(answer.get(k, "")) for k in ("order_details_summary", "past_interactions_summary"))
    return {"escalation_flag": answer.get("escalation_flag") is expect["escalation_flag"],
            "refund_usd": _within(expect["refund_usd"], (answer.get("refund_recommendation") or {}).get("amount_usd")),
            "credit_usd": _within(expect["credit_usd"], (answer.get("credit_recommendation") or {}).get("amount_usd")),
            "summary_cites_facts": all(fact in summaries for fact in case.summary_cites) if case.summary_cites else None}


_CHECKS = {"refund": _refund, "complaint": _complaint, "support": _support}


def label(case: Case) -> str:
    """The case's class, for per-class accuracy: its expected refund class, decision, or escalation."""
    expect = case.expect
    if case.agent == "refund":
        return str(expect["refund_class"])
    if case.agent == "complaint":
        decision = expect["decision"]
        return "/".join(decision) if isinstance(decision, list) else str(decision)
    return "escalated" if expect["escalation_flag"] else "offer"


def bounds_of(case: Case) -> dict[str, list]:
    return {k: v for k, v in case.expect.items() if k in ("refund_usd", "credit_amount", "credit_usd")}


def got_amount(case: Case, answer: dict | None, field: str) -> Any:
    if not answer:
        return None
    if field in ("refund_usd", "credit_usd") and case.agent == "support":
        key = "refund_recommendation" if field == "refund_usd" else "credit_recommendation"
        return (answer.get(key) or {}).get("amount_usd")
    return answer.get(field)


def mlflow_scorers(cases: dict[str, Case]) -> list:
    """One MLflow scorer per check: each reads the case from the row's expectations (its id)."""
    from mlflow.genai.scorers import scorer

    def make(check: str):
        @scorer(name=check)
        def score(outputs: Any, expectations: dict) -> bool | None:
            case = cases[expectations["case_id"]]
            return judge(case, outputs if isinstance(outputs, str) else json.dumps(outputs)).get(check)

        return score

    names = list(dict.fromkeys(k for case in cases.values() for k in judge(case, "ERROR:")))
    return [make(name) for name in names]
