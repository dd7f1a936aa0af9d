"""The complaint triage agent: one tool-calling agent over the complaint SQL functions (sql.py),
answering with the `ComplaintResponse` fields of the original, checked field by field and across
fields (a credit has an amount and a confidence and no priority; an escalation the reverse)."""

from __future__ import annotations

from ..common import loop
from ..common.answers import Field, one_line
from ..common.tools import SqlFunctionTool, ToolAgent, sql_tools
from . import sql

CATEGORIES = ("delivery_delay", "missing_items", "food_quality", "service_issue", "billing", "other")
DECISIONS = ("suggest_credit", "escalate")
FIELDS = (
    Field("order_id", "string", max_length=64),
    Field("complaint_category", "enum", choices=CATEGORIES),
    Field("decision", "enum", choices=DECISIONS),
    Field("credit_amount", "number", minimum=0, maximum=10_000, nullable=True),
    Field("confidence", "enum", choices=("high", "medium", "low"), nullable=True),
    Field("priority", "enum", choices=("standard", "urgent"), nullable=True),
    Field("rationale", "string", max_length=1200),
)


def decision_fields(answer: dict) -> str | None:
    """Which fields a decision fills: the original's output rules, enforced rather than hoped for."""
    if answer["decision"] == "suggest_credit":
        if answer["credit_amount"] is None or answer["confidence"] is None or answer["priority"] is not None:
            return "suggest_credit needs a numeric credit_amount (0 allowed) and a confidence, and priority null"
    elif answer["priority"] is None or answer["credit_amount"] is not None or answer["confidence"] is not None:
        return "escalate needs a priority, and credit_amount and confidence null"
    return None


RULES = (decision_fields,)

SYSTEM_PROMPT = f"""You triage customer complaints about Casper's Kitchens deliveries.
The user message is the complaint, ending with "(Order ID: <id>)".
1. Call {sql.ORDER_OVERVIEW} with the order id: its kitchen (`location`), items (name, price, qty) and total.
2. Call {sql.ORDER_TIMING} with the order id: minutes from creation to delivery and the delivery status.
3. For a delay, call {sql.LOCATION_TIMINGS} with the kitchen's name: its usual minutes (p50, p75, p99).
Decide, citing the evidence:
- delivery_delay: within p75, suggest_credit 0 (low confidence); p75 to p99, 15% of the total; beyond p99, 25%.
- missing_items: the price of the missing item when it is in the order (high confidence), otherwise 8 to 12
  per item (low confidence).
- food_quality: 20% of the total for a minor issue (medium), 40% for a serious one (high); vague: escalate.
- escalate with priority "standard" for billing, service and vague complaints or missing data, and "urgent"
  for legal threats, health or safety, suspected fraud or abusive language.
Round credits to the nearest 0.50. A credit has credit_amount and confidence and priority null; an escalation
has priority and credit_amount and confidence null. Choose exactly one category: {", ".join(CATEGORIES)}.
Answer with exactly one line of JSON and nothing else:
{{"order_id": "<id>", "complaint_category": "<category>", "decision": "suggest_credit" | "escalate",
"credit_amount": <number> | null, "confidence": "high" | "medium" | "low" | null,
"priority": "standard" | "urgent" | null, "rationale": "<at most 150 words>"}}"""


def tools(catalog: str) -> dict[str, SqlFunctionTool]:
    described = {
        sql.ORDER_OVERVIEW: ("An order's kitchen, items (name, price, qty), delivery address and total.",
                             "oid", "The order id, e.g. A7K2M9"),
        sql.ORDER_TIMING: ("When an order was created and delivered, the minutes in between and its status.",
                           "oid", "The order id"),
        sql.LOCATION_TIMINGS: ("A kitchen's delivery-time percentiles (minutes) over the last day of data.",
                               "loc", "The kitchen's name, e.g. Chicago"),
    }
    return sql_tools(described, lambda function: sql.call(catalog, function))


def question(complaint_text: str, order_id: str) -> str:
    """What the stream sends (the original's shape): the complaint, then the order id."""
    return f"{complaint_text.strip()} (Order ID: {order_id.strip()})"


class ComplaintAgent(ToolAgent):
    """triage(text) -> the checked answer; respond(text) -> it as one line of JSON."""

    make_tools = staticmethod(tools)

    def triage(self, complaint: str) -> dict:
        return loop.answer(self.client, self.llm_endpoint, SYSTEM_PROMPT, complaint.strip(), self.tools,
                           self.runner, FIELDS, rules=RULES)

    def respond(self, text: str) -> str:
        return one_line(self.triage(text))
