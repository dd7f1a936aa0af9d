"""Scripts for the stand-in's model (local_workspace/llm.py): each test says what the model replies,
turn by turn, so a plumbing test checks the agent's code (tool calls run, results passed back,
answers checked, retries) and never a policy hidden in the stand-in."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

LOCAL_RUN_SCRIPT = Path(__file__).parents[1] / "src" / "agents" / "local_run_script.json"


def call(*calls: tuple[str, dict]) -> dict:
    """One turn asking for tools: call(("refund_order_details", {"oid": "{1}"}), ...)."""
    return {"tool_calls": [{"name": name, "arguments": arguments} for name, arguments in calls]}


def say(content) -> dict:
    """The final turn: text, or a dict sent as one line of JSON."""
    return {"content": content if isinstance(content, str) else json.dumps(content)}


def rule(match: str, *replies: dict) -> dict:
    return {"match": match, "replies": list(replies)}


def install(server, *rules: dict) -> None:
    """Give the stand-in's model these rules (replacing any earlier script)."""
    request = urllib.request.Request(server.url + "/_fake/config", data=json.dumps({"llm_script": list(rules)}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()


def requests(server) -> list[dict]:
    """What the model was sent, request by request: {model, messages, tools}."""
    with urllib.request.urlopen(server.url + "/_fake/llm") as response:
        return json.load(response)


def tool_results(server) -> dict[str, list]:
    """Tool name -> every result (parsed JSON) the agent passed back to the model."""
    names, found = {}, {}
    for request in requests(server):
        for message in request["messages"]:
            for c in message.get("tool_calls") or []:
                names[c["id"]] = c["function"]["name"]
            if message.get("role") == "tool" and message.get("tool_call_id") in names:
                seen = found.setdefault(names[message["tool_call_id"]], [])
                parsed = json.loads(message["content"])
                if parsed not in seen:
                    seen.append(parsed)
    return found


def local_run_script() -> list[dict]:
    return json.loads(LOCAL_RUN_SCRIPT.read_text())
