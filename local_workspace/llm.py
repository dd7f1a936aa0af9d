"""The stand-in's language model: deterministic and scripted, behind the foundation model names of
`store.config["llm_models"]` (databricks-meta-llama-3-3-70b-instruct by default).

It speaks the OpenAI chat completions shape and works like a careful model would: for a refund
question it calls the refund tools (order details and delivery time, then the kitchen's timings),
then answers from their results with the policy of the system prompt, as one line of JSON. A
`garbage` fault makes it answer prose instead, to exercise the agents' answer checks."""

from __future__ import annotations

import json
import re
import time
import uuid

DEFAULT_MODELS = ("databricks-meta-llama-3-3-70b-instruct",)
REFUND_TOOLS = ("refund_order_details", "refund_order_delivery_time", "refund_location_timings")
SUPPORT_TOOLS = ("support_order_overview", "support_order_timing", "support_user_request_history",
                 "support_user_report_history")
COMPLAINT_TOOLS = ("complaint_order_overview", "complaint_order_timing", "complaint_location_timings")
# What a complaint is about, by its words (first match wins): (pattern, category, escalation priority or None)
COMPLAINT_KINDS = (
    (r"lawyer|sick|poison|dangerous|plastic", "food_quality", "urgent"),
    (r"rude|driver|courier|ignored|nobody answered", "service_issue", "standard"),
    (r"charged|bill|refund", "billing", "standard"),
    (r"missing|forgot|never arrived|without", "missing_items", None),
    (r"late|waited|forever|longer|hour", "delivery_delay", None),
    (r"cold|soggy|stale|overcooked|tasted", "food_quality", None),
)


def is_llm(store, name: str) -> bool:
    return name in store.config.get("llm_models", DEFAULT_MODELS)


def completion(model: str, content: str = "", tool_calls: list[dict] | None = None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message,
                                         "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _call(name: str, **arguments) -> dict:
    return {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}


def _results(messages: list[dict]) -> dict[str, object]:
    """Tool name -> parsed result, from the assistant's calls and the tool messages answering them."""
    names = {c["id"]: c["function"]["name"] for m in messages if m.get("role") == "assistant"
             for c in m.get("tool_calls") or []}
    found = {}
    for m in messages:
        if m.get("role") == "tool" and m.get("tool_call_id") in names:
            try:
                found[names[m["tool_call_id"]]] = json.loads(m.get("content") or "null")
            except ValueError:
                found[names[m["tool_call_id"]]] = None
    return found


def respond(model: str, body: dict, garbage: bool = False) -> dict:
    messages = body.get("messages") or []
    tools = {t.get("function", {}).get("name") for t in body.get("tools") or []}
    if garbage:
        return completion(model, "I think this customer deserves something nice, maybe a coupon?")
    if set(REFUND_TOOLS) <= tools:
        return _refund(model, messages)
    if set(COMPLAINT_TOOLS) <= tools:
        return _complaint(model, messages)
    if set(SUPPORT_TOOLS) <= tools:
        return _support(model, messages)
    question = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
    wanted = re.search(r"complaint about: (\w+)\. Order ID: (\S+)\.", str(question))
    if wanted:  # the complaint generator's prompt
        return completion(model, f"My order {wanted.group(2)} was a mess ({wanted.group(1).replace('_', ' ')}), "
                                 "and I expected much better for what I paid.")
    return completion(model, f"(scripted) {str(question)[:200]}")


def _refund(model: str, messages: list[dict]) -> dict:
    question = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
    match = re.search(r"order id:\s*(\S+)", str(question), flags=re.I)
    order_id = match.group(1) if match else str(question).strip()
    results = _results(messages)
    if "refund_order_details" not in results or "refund_order_delivery_time" not in results:
        return completion(model, tool_calls=[_call("refund_order_details", oid=order_id),
                                             _call("refund_order_delivery_time", oid=order_id)])
    timing = (results["refund_order_delivery_time"] or [{}])
    timing = timing[0] if isinstance(timing, list) and timing else {}
    location = timing.get("location")
    if location and "refund_location_timings" not in results:
        return completion(model, tool_calls=[_call("refund_location_timings", loc=location)])
    return completion(model, json.dumps(_decide(results, timing)))


def _decide(results: dict, timing: dict) -> dict:
    minutes = _number(timing.get("duration_minutes"))
    stats = results.get("refund_location_timings")
    stats = stats[0] if isinstance(stats, list) and stats else {}
    p75, p99 = _number(stats.get("p75")), _number(stats.get("p99"))
    total = _order_total(results.get("refund_order_details"))
    if minutes is None:
        return {"refund_usd": 0, "refund_class": "none", "reason": "The order has not been delivered yet."}
    if p75 is None or minutes <= p75:
        return {"refund_usd": 0, "refund_class": "none",
                "reason": f"Delivered in {minutes:.1f} minutes, within the kitchen's usual times."}
    if p99 is None or minutes <= p99:
        return {"refund_usd": round(total * 0.25, 2), "refund_class": "partial",
                "reason": f"Delivered in {minutes:.1f} minutes, later than 75% of the kitchen's orders ({p75:.1f})."}
    return {"refund_usd": round(total, 2), "refund_class": "full",
            "reason": f"Delivered in {minutes:.1f} minutes, later than 99% of the kitchen's orders ({p99:.1f})."}


def _number(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _order_total(details) -> float:
    for row in details if isinstance(details, list) else []:
        if row.get("event_type") == "order_created":
            try:
                items = json.loads(row.get("body") or "{}").get("items") or []
            except ValueError:
                return 0.0
            return sum(float(i.get("price") or 0) * int(i.get("qty") or 0) for i in items)
    return 0.0


def _complaint(model: str, messages: list[dict]) -> dict:
    """Triage like the complaint agent's prompt says: overview and timing, the kitchen's timings
    for a delay, then one ComplaintResponse line."""
    text = str(next((m.get("content") or "" for m in messages if m.get("role") == "user"), ""))
    match = re.search(r"\(Order ID:\s*([^)\s]+)\)", text)
    order_id = match.group(1) if match else ""
    results = _results(messages)
    if "complaint_order_overview" not in results or "complaint_order_timing" not in results:
        return completion(model, tool_calls=[_call("complaint_order_overview", oid=order_id),
                                             _call("complaint_order_timing", oid=order_id)])
    overview = _first_row(results["complaint_order_overview"])
    category, priority = next(((c, p) for pattern, c, p in COMPLAINT_KINDS if re.search(pattern, text, re.I)),
                              ("other", "standard"))
    if not overview and priority is None:
        priority = "standard"  # no such order: nothing to credit on, a person looks
    if category == "delivery_delay" and overview.get("location") and "complaint_location_timings" not in results:
        return completion(model, tool_calls=[_call("complaint_location_timings", loc=overview["location"])])
    answer = {"order_id": order_id, "complaint_category": category, "decision": "escalate", "credit_amount": None,
              "confidence": None, "priority": priority, "rationale": "Needs a person: " + text[:80]}
    if priority is None:
        credit, confidence, why = _credit(category, overview, _first_row(results["complaint_order_timing"]),
                                          _first_row(results.get("complaint_location_timings")))
        answer.update(decision="suggest_credit", credit_amount=credit, confidence=confidence, priority=None,
                      rationale=why)
    return completion(model, json.dumps(answer))


def _first_row(rows) -> dict:
    return rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}


def _credit(category: str, overview: dict, timing: dict, stats: dict) -> tuple[float, str, str]:
    total = _number(overview.get("order_total")) or 0.0
    half = lambda x: round(x * 2) / 2  # noqa: E731 - to the nearest 0.50
    if category == "delivery_delay":
        minutes, p75, p99 = (_number(timing.get("delivery_duration_minutes")), _number(stats.get("p75")),
                             _number(stats.get("p99")))
        if minutes is None or p75 is None or minutes <= p75:
            return 0.0, "low", f"Delivered in {minutes} minutes, within the kitchen's p75 ({p75})."
        share = 0.15 if p99 is None or minutes <= p99 else 0.25
        return half(total * share), "high", f"Delivered in {minutes} minutes, past p75 {p75}; total {total}."
    if category == "missing_items":
        try:
            prices = [float(i.get("price") or 0) for i in json.loads(overview.get("items_json") or "[]")]
        except ValueError:
            prices = []
        return half(min(prices) if prices else 10.0), "medium", f"An item of the order is missing; total {total}."
    return half(total * 0.2), "medium", f"A food quality issue on an order of {total}."


def _support(model: str, messages: list[dict]) -> dict:
    """Summaries like the support agent's prompt asks: the order's and the user's history, from
    the four support tools, as one line of JSON."""
    text = str(next((m.get("content") or "" for m in messages if m.get("role") == "user"), ""))
    try:
        case = json.loads(text)
    except ValueError:
        case = {}
    results = _results(messages)
    if not set(SUPPORT_TOOLS) <= set(results):
        oid, uid = str(case.get("order_id", "")), str(case.get("user_id", ""))
        return completion(model, tool_calls=[_call("support_order_overview", oid=oid),
                                             _call("support_order_timing", oid=oid),
                                             _call("support_user_request_history", uid=uid),
                                             _call("support_user_report_history", uid=uid)])
    overview, timing = _first_row(results["support_order_overview"]), _first_row(results["support_order_timing"])
    requests = results["support_user_request_history"] if isinstance(results["support_user_request_history"], list) else []
    if overview:
        order = (f"Order {overview.get('order_id')} from {overview.get('location')}, total "
                 f"{_number(overview.get('order_total')) or 0:.2f}, delivered in "
                 f"{timing.get('delivery_duration_minutes') or 'unknown'} minutes.")
    else:
        order = "The order was not found in the events."
    past = f"{len(requests)} recent request(s) from this user." if requests else "No earlier requests from this user."
    return completion(model, json.dumps({"order_details_summary": order, "past_interactions_summary": past}))
