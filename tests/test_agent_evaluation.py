"""The agents' labelled evaluation sets and `make eval` (src/agents/evaluation/, docs/agents.md).

The sets are the only place a refund, complaint or support decision is judged: each case carries
the facts the tools show, the expected class or bounds and why, written from the demo's rules. Here:
the sets are well-formed; each agent's prompt states the rules its set is judged by (an emptied or
absurd prompt fails); the support policy module meets its labelled cases; the scorers pass a right
answer and fail a wrong one; `make eval` refuses to run without a model, and against a scripted
OpenAI-compatible server (the stand-in's model, replying what this test scripts) runs MLflow's
evaluation and writes the report, wrong answers and bound violations included."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from . import llm_script as script
from .conftest import ROOT
from .fake_env import fake  # noqa: F401  (fixture)

sys.path.insert(0, str(ROOT / "src"))

from agents.evaluation import cases as case_sets  # noqa: E402
from agents.evaluation.scorers import judge  # noqa: E402

LLM = "databricks-meta-llama-3-3-70b-instruct"


@pytest.mark.parametrize("agent", case_sets.AGENTS)
def test_each_set_is_labelled_with_why_and_provenance(agent):
    chosen = case_sets.load(agent)
    assert len(chosen.cases) >= 8
    header = (case_sets.CASES / f"{agent}.yaml").read_text().split("\ncases:")[0]
    assert "Provenance." in header and "databricks-solutions/caspers-kitchens" in header and "by hand" in header
    for case in chosen.cases:
        assert case.why and case.expect and case.question
        for bounds in (v for k, v in case.expect.items() if k.endswith(("_usd", "_amount"))):
            assert len(bounds) == 2 and 0 <= bounds[0] <= bounds[1]
            assert case.order is None or bounds[1] <= case.order["total"] + 0.01  # never more than was paid


@pytest.mark.parametrize("agent, module", [("refund", "agents.refund.agent"), ("complaint", "agents.complaint.agent"),
                                           ("support", "agents.support.agent")])
def test_each_prompt_states_the_rules_its_set_is_judged_by(agent, module):
    """What a local run can check of a prompt: that it says the rules. Whether a model follows them
    is what `make eval` measures against a real model."""
    import importlib

    prompt = importlib.import_module(module).SYSTEM_PROMPT
    missing = [rule for rule in case_sets.load(agent).prompt_must_state if rule not in prompt]
    assert not missing, f"the {agent} prompt no longer states {missing}"


def test_the_support_policy_meets_its_labelled_cases():
    from agents.support import policy

    for case in case_sets.load("support").cases:
        facts = case.extra["case"]
        got = policy.resolve(facts)
        answer = {"escalation_flag": got.escalate, "refund_recommendation": {"amount_usd": got.refund_usd, "reason": "r"},
                  "credit_recommendation": {"amount_usd": got.credit_usd, "reason": "r"},
                  "order_details_summary": " ".join(case.summary_cites), "past_interactions_summary": "p"}
        text = json.dumps({"support_request_id": facts["support_request_id"], "user_id": facts["user_id"],
                           "order_id": facts["order_id"], "draft_response": policy.reply(facts, got),
                           "decision_confidence": got.confidence, **answer})
        failed = [k for k, v in judge(case, text).items() if v is False]
        assert not failed, (case.id, case.why, failed, got)


def _right(case) -> dict:
    """An answer inside the case's labels (the first acceptable value, the lower bound)."""
    first = lambda v: v[0] if isinstance(v, list) else v  # noqa: E731
    expect = case.expect
    if case.agent == "refund":
        return {"refund_usd": expect["refund_usd"][0], "refund_class": expect["refund_class"], "reason": "Labelled."}
    decision = first(expect["decision"])
    credit = decision == "suggest_credit"
    return {"order_id": case.order["order_id"] if case.order else "ABC123",
            "complaint_category": first(expect["complaint_category"]), "decision": decision,
            "credit_amount": expect.get("credit_amount", [0])[0] if credit else None,
            "confidence": "high" if credit else None, "priority": None if credit else first(expect.get("priority", "standard")),
            "rationale": "Labelled."}


@pytest.mark.parametrize("agent", ["refund", "complaint"])
def test_the_scorers_pass_a_labelled_answer_and_fail_a_wrong_one(agent):
    for case in case_sets.load(agent).cases:
        right = _right(case)
        assert all(v is not False for v in judge(case, json.dumps(right)).values()), case.id
        wrong = dict(right, refund_class="full" if right.get("refund_class") != "full" else "none") if agent == "refund" \
            else dict(right, complaint_category="billing" if right["complaint_category"] != "billing" else "other")
        assert judge(case, json.dumps(wrong))[next(iter(k for k in wrong if k in ("refund_class", "complaint_category")))] is False
        assert judge(case, "Sure, a refund.")["valid"] is False and judge(case, "ERROR: AgentError: x")["valid"] is False


def _make_eval(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EVAL_", "MLFLOW_", "OPENAI_"))}
    return subprocess.run(["make", "-s", "eval", f"OUT={tmp_path / 'build'}", *(f"{k}={v}" for k, v in env.items())],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=600)


def test_make_eval_without_a_model_says_so_and_fails(tmp_path):
    run = _make_eval(tmp_path)
    assert run.returncode != 0
    assert "make eval needs a model to evaluate the agents with, and none was given" in run.stderr
    assert not (tmp_path / "build" / "eval").exists()


def test_make_eval_against_a_scripted_server_writes_the_report(tmp_path, fake):  # noqa: F811
    cases = case_sets.load("refund").cases
    wrong = next(c for c in cases if c.expect["refund_class"] == "none" and c.order.get("delivered"))
    rules = []
    for case in cases:
        answer = _right(case) if case is not wrong else {"refund_usd": 5.0, "refund_class": "partial", "reason": "Wrong."}
        oid = case.order["order_id"]
        rules.append(script.rule(rf"^Order id: {oid}$",
                                 script.call(("refund_order_details", {"oid": oid}), ("refund_order_delivery_time", {"oid": oid})),
                                 script.call(("refund_location_timings", {"loc": case.order["location"]})),
                                 script.say(answer)))
    script.install(fake, *rules)

    run = _make_eval(tmp_path, AGENT="refund", EVAL_BASE_URL=fake.url + "/serving-endpoints", EVAL_MODEL=LLM)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"refund: {len(cases) - 1} of {len(cases)} cases right" in run.stdout
    report = json.loads((tmp_path / "build" / "eval" / "refund.json").read_text())
    none = sum(1 for c in cases if c.expect["refund_class"] == "none")
    assert report["per_class"]["none"] == {"cases": none, "correct": none - 1, "accuracy": round((none - 1) / none, 3)}
    assert report["per_class"]["full"]["accuracy"] == 1.0
    assert report["bound_violations"] == [{"case": wrong.id, "field": "refund_usd", "bounds": [0, 0], "got": 5.0}]
    assert report["failures"][0]["case"] == wrong.id and report["failures"][0]["why"] == wrong.why
    assert report["mlflow_metrics"]["refund_class/mean"] == pytest.approx((len(cases) - 1) / len(cases))
    markdown = (tmp_path / "build" / "eval" / "refund.md").read_text()
    assert "| none |" in markdown and f"`{wrong.id}`: refund_usd 5.0 outside [0, 0]" in markdown

    shown = script.tool_results(fake)["refund_order_details"]  # the model saw each case's facts
    assert {rows[0]["order_id"]: rows[0]["order_total"] for rows in shown} == {c.order["order_id"]: c.order["total"] for c in cases}
