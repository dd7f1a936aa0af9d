"""The complaint agent end to end through the stand-in (the real openai client against its scripted
model, the real databricks-sdk running the complaint SQL tools on its warehouse: local Spark over two
days of the canonical dataset): its own tool names, answers checked against the ComplaintResponse
fields and the decision rules, credits by the policy computed here from the raw events; the SQL
tools' rows; and the complaint stream's error row, a valid answer a person can act on."""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from .conftest import ROOT
from .dataset import refund_decisions
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


@pytest.fixture(scope="module")
def expected():
    return refund_decisions(days=2)


def _agent(workspace):
    from agents.common.clients import openai_client

    return ca.ComplaintAgent("cat", LLM, workspace.warehouse_id, workspace=workspace, client=openai_client(workspace))


def test_the_sql_tools_give_the_order_its_total_and_status(workspace, expected):
    agent = _agent(workspace)
    order_id = next(k for k, (c, _) in sorted(expected.items()) if c == "full")  # total = the full refund
    (overview,) = agent.runner.rows(sql.call("cat", sql.ORDER_OVERVIEW), {"arg": order_id})
    assert float(overview["order_total"]) == pytest.approx(expected[order_id][1], abs=0.011)
    assert overview["location"] in ("San Francisco", "Silicon Valley", "Bellevue", "Chicago")
    items = json.loads(overview["items_json"])
    assert items and {"name", "price", "qty"} <= set(items[0]) and int(overview["brand_id"]) == items[0]["brand_id"]
    (timing,) = agent.runner.rows(sql.call("cat", sql.ORDER_TIMING), {"arg": order_id})
    assert timing["delivery_status"] == "delivered" and float(timing["delivery_duration_minutes"]) > 0
    assert agent.runner.rows(sql.call("cat", sql.ORDER_TIMING), {"arg": "no-such-order"}) == []
    (stats,) = agent.runner.rows(sql.call("cat", sql.LOCATION_TIMINGS), {"arg": overview["location"]})
    assert float(stats["p50"]) <= float(stats["p75"]) <= float(stats["p99"])


def _log(server) -> list[dict]:
    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return json.load(response)


def test_the_agent_triages_with_its_tools_by_the_policy(workspace, expected, fake):  # noqa: F811
    agent = _agent(workspace)
    full = next(k for k, (c, _) in sorted(expected.items()) if c == "full")
    on_time = next(k for k, (c, _) in sorted(expected.items()) if c == "none")

    late = agent.triage(ca.question("I waited over an hour past the estimate.", full))
    assert (late["decision"], late["complaint_category"], late["confidence"]) == ("suggest_credit", "delivery_delay", "high")
    assert late["credit_amount"] == round(expected[full][1] * 0.25 * 2) / 2 and late["order_id"] == full
    fine = agent.triage(ca.question("My order took forever to arrive!", on_time))
    assert (fine["decision"], fine["credit_amount"], fine["confidence"]) == ("suggest_credit", 0.0, "low")
    legal = agent.triage(ca.question("I'm calling my lawyer about this!", full))
    assert (legal["decision"], legal["priority"], legal["credit_amount"]) == ("escalate", "urgent", None)
    assert list(agent.tools) == list(sql.TOOLS)
    statements = [e for e in _log(fake) if e["kind"] == "statements"]
    assert len(statements) == 3 + 3 + 2  # overview and timing each time; the kitchen's timings for the delays


def test_invalid_answers_are_asked_again_then_refused(workspace, fake):  # noqa: F811
    from agents.common.loop import AgentError

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
