"""The support agent end to end through the stand-in (the real openai client against its scripted
model, the real databricks-sdk running the support SQL tools on its warehouse: local Spark over two
days of the canonical dataset and the support tables as the stages create them): tools of its own
names, four calls per case, the policy's amounts and the LLM's summaries in one checked SupportReport,
bad cases and invalid answers refused."""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from .conftest import ROOT
from .dataset import refund_decisions
from .fake_env import add_fault, configure, fake, workspace  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

from agents.common.answers import InvalidAnswer  # noqa: E402
from agents.support import agent as sa  # noqa: E402
from agents.support import sql  # noqa: E402

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


def test_a_case_gets_the_policys_offer_and_the_llms_summaries(workspace, fake):  # noqa: F811
    order_id = next(iter(sorted(refund_decisions(days=2))))
    answer = _agent(workspace).prepare(_case(order_id, policy_limit_usd=30, repeat_complaints_30d=1))
    assert answer["refund_recommendation"]["amount_usd"] == 15.0 and answer["credit_recommendation"]["amount_usd"] == 4.5
    assert answer["escalation_flag"] is False and answer["decision_confidence"] == "high"
    assert f"Order {order_id} from " in answer["order_details_summary"]
    assert answer["past_interactions_summary"] == "No earlier requests from this user."
    assert "$15.00 refund and a $4.50 credit" in answer["draft_response"]
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
