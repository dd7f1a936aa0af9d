"""The stand-in's language model: scripted, behind the foundation model names of
`store.config["llm_models"]` (databricks-meta-llama-3-3-70b-instruct by default).

It holds no refund, complaint or support policy and never reads the system prompt: what it answers is
the script a test (or a local run) gives it (`POST /_fake/config {"llm_script": [rule, ...]}`):

    {"match": "<regex searched in the conversation's first user message>",
     "replies": [{"tool_calls": [{"name": "<tool>", "arguments": {"oid": "{1}"}}]},
                 {"content": "<the final text>"}]}

The first rule whose regex matches answers. Its reply is chosen by how far the conversation is: the
number of assistant turns already in the request's messages (a stateless choice, so concurrent
conversations never steal each other's replies); past the last reply, the last one repeats. `{1}`,
`{2}`... in a reply are the regex's groups (an order id taken from the question, say). A conversation
no rule matches gets a reply saying so, which is not JSON: the agent under test refuses it.

Every request is kept (`GET /_fake/llm`): the messages and tools a model was sent, so a test can
check what the agent showed it (the tool results included). A `garbage` fault makes it answer prose.
"""

from __future__ import annotations

import json
import re
import time
import uuid

DEFAULT_MODELS = ("databricks-meta-llama-3-3-70b-instruct",)
UNSCRIPTED = "(the stand-in model has no scripted reply for this conversation)"
GARBAGE = "I think this customer deserves something nice, maybe a coupon?"


def served_models(store) -> tuple[str, ...]:
    return tuple(store.config.get("llm_models", DEFAULT_MODELS))


def is_llm(store, name: str) -> bool:
    return name in served_models(store)


def completion(model: str, content: str = "", tool_calls: list[dict] | None = None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message,
                                         "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _text(content) -> str:
    if isinstance(content, list):  # the content-parts form
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def _fill(value, groups: tuple[str, ...]):
    """`{n}` -> the n-th group of the rule's match, in every string of a reply."""
    if isinstance(value, str):
        for n, group in enumerate(groups, start=1):
            value = value.replace("{" + str(n) + "}", group or "")
        return value
    if isinstance(value, dict):
        return {k: _fill(v, groups) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, groups) for v in value]
    return value


def _tool_call(call: dict) -> dict:
    return {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments") or {})}}


def scripted_reply(script: list[dict], messages: list[dict]) -> dict:
    """The reply a script gives this conversation: {"content": ...} or {"tool_calls": [...]}."""
    question = next((_text(m.get("content")) for m in messages if m.get("role") == "user"), "")
    turn = sum(1 for m in messages if m.get("role") == "assistant")
    for rule in script:
        found = re.search(rule["match"], question, flags=re.S)
        if found and rule.get("replies"):
            replies = rule["replies"]
            return _fill(replies[min(turn, len(replies) - 1)], found.groups())
    return {"content": UNSCRIPTED}


def respond(store, model: str, body: dict, garbage: bool = False) -> dict:
    messages = body.get("messages") or []
    with store.lock:
        store.llm_requests.append({"model": model, "messages": messages,
                                   "tools": [t.get("function", {}).get("name") for t in body.get("tools") or []]})
        script = list(store.config.get("llm_script") or [])
    if garbage:
        return completion(model, GARBAGE)
    reply = scripted_reply(script, messages)
    calls = [_tool_call(c) for c in reply.get("tool_calls") or []]
    return completion(model, "" if calls else str(reply.get("content", "")), calls or None)
