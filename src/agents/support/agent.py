"""The support agent: for one support case (a JSON payload: the request and the facts the stream
computed), the LLM reads the order and the user's history through the support SQL functions and
summarises them; the policy (policy.py) sets the amounts, the escalation and the reply. The answer is
one line of JSON with the original's SupportReport fields, checked like every agent answer."""

from __future__ import annotations

import json
from ..common import loop
from ..common.answers import Field, InvalidAnswer, one_line, parse_answer
from ..common.tools import SqlFunctionTool, ToolAgent, sql_tools
from . import policy, sql

CASE_KEYS = ("support_request_id", "user_id", "order_id", "request_text")
SUMMARY_FIELDS = (
    Field("order_details_summary", "string", max_length=1000),
    Field("past_interactions_summary", "string", max_length=1000),
)
REPORT_FIELDS = (
    Field("support_request_id", "string", max_length=64),
    Field("user_id", "string", max_length=64),
    Field("order_id", "string", max_length=64),
    Field("credit_recommendation", "amount", maximum=10_000),
    Field("refund_recommendation", "amount", maximum=10_000),
    Field("draft_response", "string", max_length=2000),
    Field("past_interactions_summary", "string", max_length=1000),
    Field("order_details_summary", "string", max_length=1000),
    Field("decision_confidence", "enum", choices=("high", "medium", "low")),
    Field("escalation_flag", "boolean"),
)

SYSTEM_PROMPT = f"""You prepare Casper's Kitchens support cases for an operator.
The user message is the case as JSON: support_request_id, user_id, order_id, request_type, edge_case_type,
request_text and facts about the user.
1. Call {sql.ORDER_OVERVIEW} and {sql.ORDER_TIMING} with the order id: kitchen, items, total, delivery minutes.
2. Call {sql.REQUEST_HISTORY} and {sql.REPORT_HISTORY} with the user id: their recent requests and reports.
Then summarise, factually and briefly (at most 60 words each), citing numbers:
- order_details_summary: what was ordered, from which kitchen, the total, how long delivery took;
- past_interactions_summary: how often the user wrote recently, about what, and what they were offered.
Answer with exactly one line of JSON and nothing else:
{{"order_details_summary": "<text>", "past_interactions_summary": "<text>"}}"""


def parse_case(text: str) -> dict:
    """The case payload, or ValueError saying what is missing."""
    try:
        case = json.loads(text or "")
    except ValueError:
        raise ValueError("a support case is a JSON object with " + ", ".join(CASE_KEYS)) from None
    if not isinstance(case, dict) or any(not isinstance(case.get(k), str) or not case[k].strip() for k in CASE_KEYS):
        raise ValueError("a support case is a JSON object with " + ", ".join(CASE_KEYS))
    return case


def report(case: dict, summaries: dict) -> dict:
    resolution = policy.resolve(case)
    return {
        "support_request_id": case["support_request_id"], "user_id": case["user_id"], "order_id": case["order_id"],
        "credit_recommendation": {"amount_usd": resolution.credit_usd, "reason": resolution.reason},
        "refund_recommendation": {"amount_usd": resolution.refund_usd, "reason": resolution.reason},
        "draft_response": policy.reply(case, resolution),
        "past_interactions_summary": summaries["past_interactions_summary"],
        "order_details_summary": summaries["order_details_summary"],
        "decision_confidence": resolution.confidence, "escalation_flag": resolution.escalate,
    }


def check_report(text: str) -> dict:
    return parse_answer(text, REPORT_FIELDS)


def tools(catalog: str) -> dict[str, SqlFunctionTool]:
    described = {
        sql.ORDER_OVERVIEW: ("An order's kitchen, items (name, price, qty), delivery address and total.",
                             "oid", "The order id"),
        sql.ORDER_TIMING: ("When an order was created and delivered, the minutes in between and its status.",
                           "oid", "The order id"),
        sql.REQUEST_HISTORY: ("The user's 10 latest support requests.", "uid", "The user id, e.g. user-007"),
        sql.REPORT_HISTORY: ("The reports (offers made) for the user's 10 latest requests.", "uid", "The user id"),
    }
    return sql_tools(described, lambda function: sql.call(catalog, function))


class SupportAgent(ToolAgent):
    """prepare(case_json) -> the checked SupportReport; respond(case_json) -> it as one line of JSON."""

    make_tools = staticmethod(tools)

    def prepare(self, text: str) -> dict:
        case = parse_case(text)
        summaries = loop.answer(self.client, self.llm_endpoint, SYSTEM_PROMPT, json.dumps(case, sort_keys=True),
                                self.tools, self.runner, SUMMARY_FIELDS)
        answer = report(case, summaries)
        try:
            return check_report(one_line(answer))
        except InvalidAnswer as err:  # a policy or summary beyond the schema: a bug, said as such
            raise loop.AgentError(f"the report does not fit SupportReport: {err}") from None

    def respond(self, text: str) -> str:
        return one_line(self.prepare(text))
