"""The refund agent end to end through the stand-in: the real openai client against the stand-in's
scripted model, the real databricks-sdk running the refund SQL tools on the stand-in's warehouse
(local Spark over two days of the canonical dataset); answers checked against the policy computed
here from the raw events; invalid answers retried, then refused."""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from .conftest import ROOT
from .dataset import refund_decisions
from .fake_env import add_fault, configure, fake, workspace  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

LLM = "databricks-meta-llama-3-3-70b-instruct"


@pytest.fixture(scope="module")
def expected():
    """Per delivered order: its decision under the prompt's policy, from the raw events."""
    return refund_decisions(days=2)


def _agent(workspace):
    from agents.common.clients import openai_client
    from agents.refund.agent import RefundAgent

    return RefundAgent("cat", LLM, workspace.warehouse_id, workspace=workspace, client=openai_client(workspace))


def _log(server) -> list[dict]:
    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return json.load(response)


def test_the_agent_calls_its_tools_and_answers_by_the_policy(workspace, expected, fake):  # noqa: F811
    agent = _agent(workspace)
    for kind in ("none", "partial", "full"):
        order_id = next(k for k, (c, _) in sorted(expected.items()) if c == kind)
        answer = agent.recommend(order_id)
        assert (answer["refund_class"], answer["refund_usd"]) == expected[order_id], (order_id, answer)
        assert answer["reason"]
    calls = [e["kind"] for e in _log(fake) if e["kind"] in ("statements", "serving_invocations")]
    assert calls.count("statements") == 9 and calls.count("serving_invocations") == 9  # 3 tools, 3 steps, per order


def test_respond_is_one_line_of_json(workspace, expected):
    order_id = sorted(expected)[0]
    text = _agent(workspace).respond(f"Order id: {order_id}")
    assert "\n" not in text and set(json.loads(text)) == {"refund_usd", "refund_class", "reason"}


def test_an_invalid_answer_is_asked_again_and_three_are_refused(workspace, expected, fake):  # noqa: F811
    from agents.common.loop import AgentError

    order_id = sorted(expected)[0]
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage", times=1)
    assert _agent(workspace).recommend(order_id)["refund_class"] == expected[order_id][0]  # the second try is valid
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage")
    with pytest.raises(AgentError, match="no valid answer after 3 tries: not JSON"):
        _agent(workspace).recommend(order_id)


def test_answers_are_checked_against_the_schema():
    from agents.common.answers import InvalidAnswer, parse_answer
    from agents.refund.agent import FIELDS

    good = '{"refund_usd": 3.5, "refund_class": "partial", "reason": "Late."}'
    assert parse_answer(good, FIELDS) == {"refund_usd": 3.5, "refund_class": "partial", "reason": "Late."}
    assert parse_answer(f"```json\n{good}\n```", FIELDS)["refund_usd"] == 3.5
    for bad, why in [('{"refund_usd": -1, "refund_class": "none", "reason": "x"}', "at least 0"),
                     ('{"refund_usd": 1, "refund_class": "some", "reason": "x"}', "one of none, partial, full"),
                     ('{"refund_usd": 1, "refund_class": "none"}', "exactly refund_usd, refund_class, reason"),
                     ('{"refund_usd": true, "refund_class": "none", "reason": "x"}', "must be a number"),
                     ('{"refund_usd": 1, "refund_class": "none", "reason": ""}', "non-empty"),
                     ("Sure, a refund.", "not JSON"), ("[1, 2]", "not a JSON object")]:
        with pytest.raises(InvalidAnswer, match=why):
            parse_answer(bad, FIELDS)


def test_the_system_prompt_names_the_real_tools():
    from agents.refund import sql
    from agents.refund.agent import SYSTEM_PROMPT, tools

    assert set(tools("cat")) == set(sql.TOOLS)
    for name in sql.TOOLS:
        assert f"Call {name}" in SYSTEM_PROMPT


def test_a_long_tool_result_is_cut_between_rows_and_stays_json():
    """An order with a long drive has dozens of ping rows and a route: what the model sees is valid
    JSON with the leading rows (the order's creation first) and how many more there were."""
    from agents.common import tools

    rows = [{"event_type": "order_created", "body": "x" * 300}] + [
        {"event_type": "driver_ping", "body": "y" * 400} for _ in range(40)]
    seen = json.loads(tools.shown(rows))
    assert seen[0]["event_type"] == "order_created" and "more_rows" in seen[-1]
    assert len(tools.shown(rows)) <= tools.MAX_CHARS and seen[-1]["more_rows"] == 41 - (len(seen) - 1)
    assert json.loads(tools.shown(rows[:3])) == rows[:3]
    many = [{"n": i} for i in range(120)]
    assert json.loads(tools.shown(many))[-1] == {"more_rows": 120 - tools.MAX_ROWS}
