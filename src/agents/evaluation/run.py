"""`make eval`: the labelled evaluation sets through MLflow's GenAI evaluation, against a model a user
names, with a report per agent.

    python -m agents.evaluation [--agent refund|complaint|support|all]
        (--base-url URL --model NAME | --endpoint NAME) [--judge MODEL_URI] [--out DIR]

--base-url/--model: any OpenAI-compatible chat endpoint (the key from EVAL_API_KEY or OPENAI_API_KEY);
--endpoint: a Databricks serving endpoint, reached with the workspace's own configuration
(DATABRICKS_HOST and its credentials). The same settings come from EVAL_BASE_URL, EVAL_MODEL,
EVAL_ENDPOINT and EVAL_JUDGE. Without a model it says so and exits 2: nothing is evaluated against
nothing. --judge adds MLflow LLM judges (e.g. `openai:/gpt-4o-mini`, `databricks:/<endpoint>`) to the
deterministic scorers. Runs go to MLflow's configured tracking store (a local file store under
build/.local/mlflow-eval when none is set)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from . import cases as case_sets
from . import report
from .scorers import judge, mlflow_scorers

NO_MODEL = ("make eval needs a model to evaluate the agents with, and none was given: set EVAL_BASE_URL and "
            "EVAL_MODEL (an OpenAI-compatible endpoint; its key in EVAL_API_KEY) or EVAL_ENDPOINT (a Databricks "
            "serving endpoint, with DATABRICKS_HOST and its credentials). Nothing was evaluated.")
GUIDELINES = {  # the original's judges, where a judge model is configured
    "refund": "If a refund is offered, its reason relates to the order's delivery timing against the kitchen's usual "
              "times, not to other issues.",
    "complaint": "The rationale cites specific evidence for the decision: delivery minutes against the kitchen's "
                 "percentiles, the items in question, or why a person is needed.",
    "support": "The order and history summaries state only facts a support operator can check, with numbers.",
}


def agent_for(agent: str, client: Any, model: str):
    """The real agent, with the evaluation's client; its warehouse is replaced per case."""
    if agent == "refund":
        from ..refund.agent import RefundAgent as kind
    elif agent == "complaint":
        from ..complaint.agent import ComplaintAgent as kind
    else:
        from ..support.agent import SupportAgent as kind
    return kind("eval", model, "no-warehouse", workspace=object(), client=client)


def answer_text(agent: Any, case: case_sets.Case) -> str:
    from ..common.answers import one_line

    agent.runner = case_sets.FixtureRunner(case, tuple(agent.tools))
    try:
        return agent.respond(case.question)
    except Exception as err:  # noqa: BLE001 - a failure is the finding: kept as the answer, judged invalid
        return f"ERROR: {type(err).__name__}: {str(err)[:300]}"


def evaluate(agent_name: str, client: Any, model: str, judge_model: str | None = None, model_id: str | None = None,
             say: Callable[[str], None] = print) -> dict:
    """Every case of one agent through mlflow.genai.evaluate; returns the report's data. With
    `model_id` (a logged model's), the results are attached to that model, in a run nested in the
    active one."""
    import mlflow

    chosen = case_sets.load(agent_name)
    by_id = {c.id: c for c in chosen.cases}
    agent = agent_for(agent_name, client, model)
    answers: dict[str, str] = {}

    def predict(case_id: str, question: str) -> str:
        answers[case_id] = answer_text(agent, by_id[case_id])
        return answers[case_id]

    scorers = mlflow_scorers(by_id)
    if judge_model:
        from mlflow.genai.scorers import Guidelines

        scorers.append(Guidelines(name=f"{agent_name}_guideline", guidelines=[GUIDELINES[agent_name]], model=judge_model))
    data = [{"inputs": {"case_id": c.id, "question": c.question}, "expectations": {"case_id": c.id}}
            for c in chosen.cases]
    with mlflow.start_run(run_name=f"eval-{agent_name}", nested=mlflow.active_run() is not None) as run:
        mlflow.set_tags({"caspers.eval.agent": agent_name, "caspers.eval.model": model})
        result = mlflow.genai.evaluate(data=data, predict_fn=predict, scorers=scorers,
                                       **({"model_id": model_id} if model_id else {}))
    judged = {c.id: judge(c, answers.get(c.id, "ERROR: not asked")) for c in chosen.cases}
    return report.summarise(chosen, answers, judged, model, run.info.run_id, dict(result.metrics or {}))


def _client(args) -> tuple[Any, str]:
    if args.endpoint:
        from ..common import clients

        return clients.openai_client(clients.workspace()), args.endpoint
    from openai import OpenAI

    key = setting("EVAL_API_KEY") or os.environ.get("OPENAI_API_KEY") or "no-key"
    return OpenAI(base_url=args.base_url, api_key=key, timeout=120, max_retries=2), args.model


def _configure_mlflow(out: Path) -> None:
    import mlflow

    if not os.environ.get("MLFLOW_TRACKING_URI"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        mlflow.set_tracking_uri("file:" + str((out.parent / ".local" / "mlflow-eval").resolve()))
    mlflow.set_experiment(os.environ.get("EVAL_EXPERIMENT", "caspers-agent-evaluation"))


def setting(name: str) -> str | None:
    """A setting as `make eval NAME=...` passes it (MAKEVAR_NAME, the text exactly as given), else the
    environment's NAME."""
    return os.environ.get(f"MAKEVAR_{name}") or os.environ.get(name) or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agent", default=setting("AGENT") or "all", choices=("all", *case_sets.AGENTS))
    parser.add_argument("--base-url", default=setting("EVAL_BASE_URL"))
    parser.add_argument("--model", default=setting("EVAL_MODEL"))
    parser.add_argument("--endpoint", default=setting("EVAL_ENDPOINT"))
    parser.add_argument("--judge", default=setting("EVAL_JUDGE"))
    parser.add_argument("--out", default=os.path.join(setting("OUT") or "build", "eval"))
    args = parser.parse_args(argv)
    if not args.endpoint and not (args.base_url and args.model):
        print(NO_MODEL, file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _configure_mlflow(out)
    client, model = _client(args)
    agents = case_sets.AGENTS if args.agent == "all" else (args.agent,)
    for name in agents:
        data = evaluate(name, client, model, args.judge)
        written = report.write(data, out)
        print(report.headline(data) + f"  report: {written}")
    return 0
