"""The support agent's code through the stand-in (the real openai client against its model, whose
replies each test scripts, the real databricks-sdk running the support SQL tools on its warehouse: local Spark over two
days of the canonical dataset and the support tables as the stages create them): tools of its own
names, four calls per case, the policy's amounts and the LLM's summaries in one checked SupportReport,
bad cases and invalid answers refused."""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from .conftest import ROOT
from . import llm_script as script
from .dataset import delivered_orders, order_facts
from .fake_env import add_fault, configure, fake, workspace  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

from agents.common.answers import InvalidAnswer  # noqa: E402
from agents.support import agent as sa  # noqa: E402
from agents.support import policy, sql  # noqa: E402

LLM = "databricks-meta-llama-3-3-70b-instruct"


def _agent(workspace):
    from agents.common.clients import openai_client

    return sa.SupportAgent("cat", LLM, workspace.warehouse_id, workspace=workspace, client=openai_client(workspace))


def _case(order_id: str, **facts) -> str:
    return json.dumps({"support_request_id": "r-1", "user_id": "user-003", "order_id": order_id,
                       "request_type": "delivery_delay", "edge_case_type": "standard",
                       "request_text": "The delivery came far later than promised.", **facts})


def test_the_tools_have_names_of_their_own():
    from agents.complaint import sql as complaint_sql

    names = {name for name, _ in sql.statements("c", "simulator")}
    assert names == set(sql.TOOLS) and all(n.startswith("support_") for n in names)
    assert names.isdisjoint({n for n, _ in complaint_sql.statements("c", "simulator")})


def _investigate() -> dict:
    return script.call((sql.ORDER_OVERVIEW, {"oid": "{1}"}), (sql.ORDER_TIMING, {"oid": "{1}"}),
                       (sql.REQUEST_HISTORY, {"uid": "{2}"}), (sql.REPORT_HISTORY, {"uid": "{2}"}))


CASE = r'"order_id": "([^"]+)".*"user_id": "([^"]+)"'  # the case is sent as JSON with sorted keys


def test_a_case_gets_the_policys_offer_and_the_models_summaries(workspace, fake):  # noqa: F811
    facts = order_facts(2)
    order_id = delivered_orders(2)[0]
    summaries = {"order_details_summary": "Scripted order summary.", "past_interactions_summary": "Scripted history."}
    script.install(fake, script.rule(CASE, _investigate(), script.say(summaries)))
    case = json.loads(_case(order_id, policy_limit_usd=30, repeat_complaints_30d=1))
    answer = _agent(workspace).prepare(json.dumps(case))
    assert {k: answer[k] for k in summaries} == summaries  # the model's, unchanged
    resolution = policy.resolve(case)  # the policy module's (tested on the labelled cases)
    assert answer["refund_recommendation"]["amount_usd"] == resolution.refund_usd
    assert answer["credit_recommendation"]["amount_usd"] == resolution.credit_usd
    assert answer["escalation_flag"] is resolution.escalate and answer["draft_response"] == policy.reply(case, resolution)
    seen = script.tool_results(fake)
    assert float(seen[sql.ORDER_OVERVIEW][0][0]["order_total"]) == pytest.approx(facts[order_id].total, abs=0.005)
    assert float(seen[sql.ORDER_TIMING][0][0]["delivery_duration_minutes"]) == \
        pytest.approx(facts[order_id].minutes, abs=0.01)
    assert seen[sql.REQUEST_HISTORY] == [[]] and seen[sql.REPORT_HISTORY] == [[]]  # a user with no history yet
    with urllib.request.urlopen(fake.url + "/_fake/log") as response:
        statements = [e for e in json.load(response) if e["kind"] == "statements"]
    assert len(statements) == 4  # each tool once


def test_bad_cases_and_invalid_answers_are_refused(workspace, fake):  # noqa: F811
    from agents.common.loop import AgentError

    agent = _agent(workspace)
    with pytest.raises(ValueError, match="a support case is a JSON object with support_request_id, user_id"):
        agent.prepare("Where is my food?")
    with pytest.raises(ValueError, match="a support case is a JSON object"):
        agent.prepare(json.dumps({"support_request_id": "r", "user_id": "u"}))
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage", times=3)
    with pytest.raises(AgentError, match="no valid answer after 3 tries"):
        agent.prepare(_case("A1"))


def test_a_report_is_checked_whole():
    good = sa.report(json.loads(_case("A1")), {"order_details_summary": "o", "past_interactions_summary": "p"})
    assert sa.check_report(json.dumps(good)) == good
    for change, problem in ((dict(escalation_flag="no"), "must be true or false"),
                            (dict(credit_recommendation={"amount_usd": -1, "reason": "x"}), "at least 0"),
                            (dict(refund_recommendation={"amount_usd": 1}), "amount_usd"),
                            (dict(decision_confidence="sure"), "must be one of")):
        with pytest.raises(InvalidAnswer, match=problem):
            sa.check_report(json.dumps(dict(good, **change)))
