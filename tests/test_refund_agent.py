"""The refund agent's code through the stand-in: the real openai client against the stand-in's model,
whose replies each test scripts (tests/llm_script.py), and the real databricks-sdk running the refund
SQL tools on the stand-in's warehouse (local Spark over two days of the canonical dataset).

What is checked is the agent's plumbing and its tools, never a policy: the tools the model asks for
run and their rows (the order's total computed in SQL, its events in order, its delivery minutes)
reach the model as the raw events say; the scripted answer comes back checked; invalid answers are
asked again, then refused. Whether a model following the prompt decides well is the evaluation set's
question (`make eval`, docs/agents.md)."""

from __future__ import annotations

import json
import sys

import pytest

from . import llm_script as script
from .conftest import ROOT
from .dataset import location_names, order_facts
from .fake_env import add_fault, configure, fake, workspace  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

LLM = "databricks-meta-llama-3-3-70b-instruct"
ASK_ORDER = r"Order id: (\S+)"
DETAILS, DELIVERY, TIMINGS = "refund_order_details", "refund_order_delivery_time", "refund_location_timings"


def _agent(workspace):
    from agents.common.clients import openai_client
    from agents.refund.agent import RefundAgent

    return RefundAgent("cat", LLM, workspace.warehouse_id, workspace=workspace, client=openai_client(workspace))


def _late_order():
    """The delivered order with the longest delivery in the data: its facts from the raw events."""
    facts = order_facts(2)
    order_id = max((k for k, o in facts.items() if o.delivered), key=lambda k: (facts[k].minutes, k))
    return order_id, facts[order_id]


def _investigate(kitchen: str) -> list[dict]:
    return [script.call((DETAILS, {"oid": "{1}"}), (DELIVERY, {"oid": "{1}"})), script.call((TIMINGS, {"loc": kitchen}))]


def test_the_tools_the_model_asks_for_run_and_their_rows_reach_it(workspace, fake):  # noqa: F811
    order_id, facts = _late_order()
    kitchen = location_names()[facts.location_id]
    scripted = {"refund_usd": 7.25, "refund_class": "partial", "reason": "Scripted for this test."}
    script.install(fake, script.rule(ASK_ORDER, *_investigate(kitchen), script.say(scripted)))

    assert _agent(workspace).recommend(order_id) == scripted  # the model's answer, checked, unchanged
    seen = script.tool_results(fake)
    (details,), (delivery,), (timings,) = seen[DETAILS], seen[DELIVERY], seen[TIMINGS]
    assert [row["event_type"] for row in details][0] == "order_created" and details[-1]["event_type"] == "delivered"
    assert "driver_ping" not in {row["event_type"] for row in details}  # dozens of pings would crowd out the rest
    assert [row["ts"] for row in details] == sorted(row["ts"] for row in details)
    assert [float(row["order_total"]) for row in details] == [pytest.approx(facts.total, abs=0.005)] * len(details)
    assert {row["location"] for row in details} == {kitchen}
    assert float(delivery[0]["duration_minutes"]) == pytest.approx(facts.minutes, abs=0.01)
    assert timings[0]["location"] == kitchen and float(timings[0]["p50"]) <= float(timings[0]["p75"]) <= float(timings[0]["p99"])
    assert float(timings[0]["p99"]) <= facts.minutes  # the slowest order is past its kitchen's p99 of the last day


def test_every_conversation_gets_the_prompt_and_the_tools():
    from agents.refund import sql
    from agents.refund.agent import SYSTEM_PROMPT, tools

    assert set(tools("cat")) == set(sql.TOOLS)
    for name in sql.TOOLS:
        assert f"Call {name}" in SYSTEM_PROMPT


def test_respond_takes_the_order_id_from_the_stream_s_question(workspace, fake):  # noqa: F811
    order_id, facts = _late_order()
    scripted = {"refund_usd": 0, "refund_class": "none", "reason": "Scripted."}
    script.install(fake, script.rule(rf"^Order id: {order_id}$", *_investigate("Chicago"), script.say(scripted)))
    text = _agent(workspace).respond(f"Order id: {order_id}")
    assert "\n" not in text and json.loads(text) == scripted


def test_an_unknown_tool_or_bad_arguments_are_told_to_the_model(workspace, fake):  # noqa: F811
    order_id, _ = _late_order()
    bad_call = {"tool_calls": [{"name": "refund_everything", "arguments": {"oid": "{1}"}},
                               {"name": DETAILS, "arguments": {"order": "{1}"}}]}
    script.install(fake, script.rule(ASK_ORDER, bad_call, script.say({"refund_usd": 0, "refund_class": "none",
                                                                      "reason": "x"})))
    _agent(workspace).recommend(order_id)
    results = [json.loads(m["content"]) for m in script.requests(fake)[-1]["messages"] if m["role"] == "tool"]
    assert results[0]["error"].startswith("no tool named refund_everything; tools: refund_order_details")
    assert results[1] == {"error": "refund_order_details needs `oid` (a string)"}


def test_an_invalid_answer_is_asked_again_and_three_are_refused(workspace, fake):  # noqa: F811
    from agents.common.loop import AgentError

    order_id, _ = _late_order()
    valid = {"refund_usd": 3.5, "refund_class": "partial", "reason": "Second try."}
    script.install(fake, script.rule(ASK_ORDER, *_investigate("Chicago"), script.say("Sure, a refund."),
                                     script.say(valid)))
    assert _agent(workspace).recommend(order_id) == valid
    retry = script.requests(fake)[-1]["messages"][-1]
    assert retry["role"] == "user" and retry["content"].startswith("That answer is invalid (not JSON")

    script.install(fake, script.rule(ASK_ORDER, *_investigate("Chicago"),
                                     script.say({"refund_usd": -1, "refund_class": "none", "reason": "x"})))
    with pytest.raises(AgentError, match="no valid answer after 3 tries: `refund_usd` must be at least 0"):
        _agent(workspace).recommend(order_id)
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage")
    with pytest.raises(AgentError, match="no valid answer after 3 tries: not JSON"):
        _agent(workspace).recommend(order_id)


def test_an_unscripted_conversation_is_refused_not_answered(workspace, fake):  # noqa: F811
    """The stand-in has no policy of its own: without a script the agent gets no usable answer."""
    from agents.common.loop import AgentError

    script.install(fake)
    with pytest.raises(AgentError, match="no valid answer after 3 tries: not JSON"):
        _agent(workspace).recommend("A1")


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


def test_a_long_tool_result_is_cut_between_rows_and_says_how_many_more():
    """What the model sees is valid JSON with the leading rows and how many more there were: never
    half a row, never rows dropped without saying so."""
    from agents.common import tools

    rows = [{"event_type": "order_created", "body": "x" * 300}] + [
        {"event_type": "picked_up", "body": "y" * 400} for _ in range(40)]
    seen = json.loads(tools.shown(rows))
    assert seen[0]["event_type"] == "order_created" and "more_rows" in seen[-1]
    assert len(tools.shown(rows)) <= tools.MAX_CHARS and seen[-1]["more_rows"] == 41 - (len(seen) - 1)
    assert json.loads(tools.shown(rows[:3])) == rows[:3]
    many = [{"n": i} for i in range(120)]
    assert json.loads(tools.shown(many))[-1] == {"more_rows": 120 - tools.MAX_ROWS}
