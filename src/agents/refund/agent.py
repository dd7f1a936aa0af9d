"""RefundGPT: one small tool-calling agent over the refund SQL functions (sql.py)."""

from __future__ import annotations

from ..common import loop
from ..common.answers import Field, one_line
from ..common.tools import SqlFunctionTool, ToolAgent, sql_tools
from . import sql

FIELDS = (
    Field("refund_usd", "number", minimum=0, maximum=10_000),
    Field("refund_class", "enum", choices=("none", "partial", "full")),
    Field("reason", "string", max_length=500),
)

SYSTEM_PROMPT = f"""You are RefundGPT. You recommend refunds for late deliveries of Casper's Kitchens orders.
Given an order id:
1. Call {sql.ORDER_DETAILS} with the order id to see its lifecycle events, its kitchen (`location`), its
   total in USD (`order_total`) and, in the order_created event's body, the items and their prices.
2. Call {sql.DELIVERY_TIME} with the order id for the minutes from creation to delivery.
3. Call {sql.LOCATION_TIMINGS} with the kitchen's name for its usual delivery times (p50, p75, p99, in minutes).
Then decide:
- not delivered yet, or delivered within the kitchen's p75: refund_class "none", refund_usd 0;
- later than p75 but within p99: refund_class "partial", refund_usd about a quarter of order_total;
- later than p99: refund_class "full", refund_usd the order_total.
Answer with exactly one line of JSON and nothing else:
{{"refund_usd": <number>, "refund_class": "none" | "partial" | "full", "reason": "<one sentence>"}}"""


def tools(catalog: str) -> dict[str, SqlFunctionTool]:
    described = {
        sql.ORDER_DETAILS: ("An order's lifecycle events in order (driver pings left out), with its kitchen, its "
                            "total in USD and the items of its order_created event.",
                            "oid", "The order id, e.g. A7K2M9"),
        sql.DELIVERY_TIME: ("When an order was created and delivered, and the minutes in between.",
                            "oid", "The order id"),
        sql.LOCATION_TIMINGS: ("A kitchen's delivery-time percentiles (minutes) over the last day of data.",
                               "loc", "The kitchen's name, e.g. Chicago"),
    }
    return sql_tools(described, lambda function: sql.call(catalog, function))


class RefundAgent(ToolAgent):
    """recommend(order_id) -> the checked answer; respond(order_id) -> it as one line of JSON."""

    make_tools = staticmethod(tools)

    def recommend(self, order_id: str) -> dict:
        return loop.answer(self.client, self.llm_endpoint, SYSTEM_PROMPT, f"Order id: {order_id.strip()}",
                           self.tools, self.runner, FIELDS)

    def respond(self, text: str) -> str:
        return one_line(self.recommend(_order_id(text)))


def _order_id(text: str) -> str:
    """The order id in a request: the text itself, or after `Order id:` (what the stream sends)."""
    text = (text or "").strip()
    return text.split(":", 1)[1].strip() if text.lower().startswith("order id:") else text
