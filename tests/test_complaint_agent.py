"""The complaint agent's code through the stand-in (the real openai client against its model, whose
replies each test scripts, and the real databricks-sdk running the complaint SQL tools on its
warehouse: local Spark over two days of the canonical dataset): its own tool names, answers checked
against the ComplaintResponse fields and the decision rules, the SQL tools' rows against the raw
events, the prompt and tools the model gets, and the complaint stream's error row, a valid answer a
person can act on. Which decision is right is the evaluation set's question (docs/agents.md)."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import ROOT
from . import llm_script as script
from .dataset import location_names, order_facts
from .fake_env import add_fault, configure, fake, workspace  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

from agents.common.answers import InvalidAnswer, parse_answer  # noqa: E402
from agents.complaint import agent as ca  # noqa: E402
from agents.complaint import sql  # noqa: E402

LLM = "databricks-meta-llama-3-3-70b-instruct"
CREDIT = {"order_id": "A1", "complaint_category": "delivery_delay", "decision": "suggest_credit",
          "credit_amount": 4.5, "confidence": "high", "priority": None, "rationale": "Late past p99."}
ESCALATION = dict(CREDIT, decision="escalate", credit_amount=None, confidence=None, priority="urgent")


@pytest.mark.parametrize("change, problem", [
    ({}, None),
    ({"credit_amount": 0}, None),  # no credit warranted is still a credit decision
    ({"credit_amount": None}, "suggest_credit needs a numeric credit_amount"),
    ({"priority": "urgent"}, "suggest_credit needs"),
    ({"confidence": None}, "suggest_credit needs"),
    ({"complaint_category": "late"}, "`complaint_category` must be one of"),
    ({"decision": "investigate"}, "`decision` must be one of"),  # the original monitoring's invented label
    ({"credit_amount": "4.5"}, "`credit_amount` must be a number"),
])
def test_credit_answers_are_checked_field_by_field_and_across_fields(change, problem):
    text = json.dumps(dict(CREDIT, **change))
    if problem is None:
        assert parse_answer(text, ca.FIELDS, ca.RULES)["decision"] == "suggest_credit"
    else:
        with pytest.raises(InvalidAnswer, match=problem):
            parse_answer(text, ca.FIELDS, ca.RULES)


def test_escalations_have_a_priority_and_nothing_of_a_credit():
    assert parse_answer(json.dumps(ESCALATION), ca.FIELDS, ca.RULES)["priority"] == "urgent"
    for change in ({"priority": None}, {"credit_amount": 3.0}, {"confidence": "low"}):
        with pytest.raises(InvalidAnswer, match="escalate needs a priority"):
            parse_answer(json.dumps(dict(ESCALATION, **change)), ca.FIELDS, ca.RULES)
    with pytest.raises(InvalidAnswer, match="fields must be exactly"):
        parse_answer(json.dumps(dict(ESCALATION, customer_response="Sorry")), ca.FIELDS, ca.RULES)


def test_the_tools_have_names_of_their_own():
    from agents.refund import sql as refund_sql

    complaint = {name for name, _ in sql.statements("c", "simulator")}
    refund = {name for name, _ in refund_sql.statements("c", "simulator")}
    assert complaint.isdisjoint(refund) and all(name.startswith("complaint_") for name in complaint)
    assert not {"get_order_overview", "get_order_timing", "get_location_timings"} & complaint
    assert "location_id" in dict(sql.statements("c", "sim"))[sql.ORDER_OVERVIEW]
    assert "e.location " not in dict(sql.statements("c", "sim"))[sql.ORDER_OVERVIEW]


def _agent(workspace):
    from agents.common.clients import openai_client

    return ca.ComplaintAgent("cat", LLM, workspace.warehouse_id, workspace=workspace, client=openai_client(workspace))


def _slowest():
    facts = order_facts(2)
    order_id = max((k for k, o in facts.items() if o.delivered), key=lambda k: (facts[k].minutes, k))
    return order_id, facts[order_id]


def test_the_sql_tools_give_the_order_its_total_and_status(workspace):  # noqa: F811
    agent = _agent(workspace)
    order_id, facts = _slowest()
    (overview,) = agent.runner.rows(sql.call("cat", sql.ORDER_OVERVIEW), {"arg": order_id})
    assert float(overview["order_total"]) == pytest.approx(facts.total, abs=0.005)  # from the raw events
    assert overview["location"] == location_names()[facts.location_id]
    items = json.loads(overview["items_json"])
    assert items and {"name", "price", "qty"} <= set(items[0]) and int(overview["brand_id"]) == items[0]["brand_id"]
    (timing,) = agent.runner.rows(sql.call("cat", sql.ORDER_TIMING), {"arg": order_id})
    assert timing["delivery_status"] == "delivered"
    assert float(timing["delivery_duration_minutes"]) == pytest.approx(facts.minutes, abs=0.01)
    assert agent.runner.rows(sql.call("cat", sql.ORDER_TIMING), {"arg": "no-such-order"}) == []
    (stats,) = agent.runner.rows(sql.call("cat", sql.LOCATION_TIMINGS), {"arg": overview["location"]})
    assert float(stats["p50"]) <= float(stats["p75"]) <= float(stats["p99"]) <= facts.minutes


def test_the_agent_runs_the_tools_the_model_asks_for_and_returns_its_checked_answer(workspace, fake):  # noqa: F811
    order_id, facts = _slowest()
    kitchen = location_names()[facts.location_id]
    scripted = dict(CREDIT, order_id="{1}", credit_amount=6.5)
    script.install(fake, script.rule(
        r"\(Order ID: ([^)\s]+)\)",
        script.call((sql.ORDER_OVERVIEW, {"oid": "{1}"}), (sql.ORDER_TIMING, {"oid": "{1}"})),
        script.call((sql.LOCATION_TIMINGS, {"loc": kitchen})), script.say(scripted)))

    answer = _agent(workspace).triage(ca.question("I waited over an hour past the estimate.", order_id))
    assert answer == dict(scripted, order_id=order_id)
    seen = script.tool_results(fake)
    assert float(seen[sql.ORDER_OVERVIEW][0][0]["order_total"]) == pytest.approx(facts.total, abs=0.005)
    assert float(seen[sql.ORDER_TIMING][0][0]["delivery_duration_minutes"]) == pytest.approx(facts.minutes, abs=0.01)
    assert seen[sql.LOCATION_TIMINGS][0][0]["location"] == kitchen
    first = script.requests(fake)[0]
    assert first["messages"][0] == {"role": "system", "content": ca.SYSTEM_PROMPT}
    assert first["messages"][1]["content"] == f"I waited over an hour past the estimate. (Order ID: {order_id})"
    assert first["tools"] == list(sql.TOOLS)


def test_an_answer_breaking_the_decision_rules_is_asked_again_then_refused(workspace, fake):  # noqa: F811
    from agents.common.loop import AgentError

    lookup = script.call((sql.ORDER_OVERVIEW, {"oid": "{1}"}))
    script.install(fake, script.rule(r"Order ID: (\w+)", lookup, script.say(dict(ESCALATION, priority=None)),
                                     script.say(ESCALATION)))
    assert _agent(workspace).triage(ca.question("I'm calling my lawyer.", "A1")) == ESCALATION  # the retry is valid
    script.install(fake, script.rule(r"Order ID: (\w+)", lookup, script.say(dict(CREDIT, credit_amount=None))))
    with pytest.raises(AgentError, match="no valid answer after 3 tries: suggest_credit needs a numeric credit_amount"):
        _agent(workspace).triage(ca.question("Cold food.", "A1"))
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage", times=3)
    with pytest.raises(AgentError, match="no valid answer after 3 tries: not JSON"):
        _agent(workspace).triage(ca.question("Cold food.", "A1"))


def test_the_streams_error_row_is_an_answer_a_person_can_act_on():
    from jobs import complaint_stream as cs

    raw = cs.RawComplaint("c-1", "A1", "Where is my food?")
    error = cs.error_response(raw, "invalid answer: not JSON")
    answer = cs.check(error)  # the agent's own schema: the Lakebase consumers read one shape
    assert (answer["decision"], answer["priority"], answer["order_id"]) == ("escalate", "standard", "A1")
    assert cs.SCORING.is_error(error) and not cs.SCORING.is_error(json.dumps(CREDIT))
    assert cs.question(raw) == "Where is my food? (Order ID: A1)"
