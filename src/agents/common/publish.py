"""Publishing an agent with MLflow: log it from code into its experiment, check it on real questions,
and register it as a version of its Unity Catalog model, which a serving endpoint then serves.

A version is logged and registered only when something it is made of changed: its fingerprint (the
agents package's code, the model's config and its pinned requirements) is a tag on every version,
and a version that carries the same one is reused. So a rerun of the stage adds no version, no run
and no endpoint update, and a changed prompt or tool makes exactly one new version.

Where runs go is MLflow's own configuration: the workspace in a notebook (the experiment by its
workspace path; the registry Unity Catalog), a local store in `make run-local` and in tests
(MLFLOW_TRACKING_URI and MLFLOW_REGISTRY_URI, set by the local runner).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable

# What the served model installs; the same pins as requirements-agents.lock (a test holds them equal).
MODEL_REQUIREMENTS = ("mlflow-skinny==3.17.2", "openai==3.57.0", "databricks-sdk==0.162.0")
FINGERPRINT_TAG = "caspers.fingerprint"
ARTIFACT = "agent"


@dataclass(frozen=True)
class AgentModel:
    full_name: str  # catalog.schema.model in Unity Catalog
    experiment: str  # the experiment's workspace path
    model_file: str  # the file that calls mlflow.models.set_model (logged from code)
    code_dir: str  # the agents package, shipped with the model
    config: dict = field(default_factory=dict)  # mlflow.models.ModelConfig inside the model
    resources: tuple = ()  # mlflow.models.resources: what the endpoint's credentials must reach


@dataclass
class Evaluation:
    questions: int = 0
    valid: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # answers by class
    problems: list[str] = field(default_factory=list)

    @property
    def valid_rate(self) -> float:
        return self.valid / self.questions if self.questions else 1.0


@dataclass
class Published:
    version: str
    reused: bool  # an earlier version had the same fingerprint
    run_id: str = ""
    evaluation: Evaluation | None = None


class EvaluationFailed(RuntimeError):
    pass


def statements_dir(model: AgentModel) -> str:
    """The warehouse statement helper the agents' tools use, beside the agents package (src/ or the bundle)."""
    return os.path.join(os.path.dirname(os.path.abspath(model.code_dir)), "sql_statements")


def fingerprint(model: AgentModel) -> str:
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(model.code_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, model.code_dir).replace(os.sep, "/").encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read() + b"\0")
    digest.update(json.dumps([model.config, list(MODEL_REQUIREMENTS)], sort_keys=True).encode())
    return digest.hexdigest()[:32]


def publish(model: AgentModel, questions: list[str], check: Callable[[str], Any], min_valid_rate: float = 0.8,
            say: Callable[[str], None] = print, example: str = "Order id: none-yet",
            labelled: str | None = None) -> Published:
    """The version to serve: an existing one with the same fingerprint, or a new one logged,
    evaluated on `questions` (EvaluationFailed when fewer than `min_valid_rate` of the answers pass
    `check`; nothing is then registered) and registered. With `labelled` (the agent's name), its
    labelled evaluation set is also run against the model's LLM endpoint and the results attached
    to the logged model (a report, not a gate: docs/agents.md)."""
    import mlflow

    _use_registry(mlflow)
    print_ = fingerprint(model)
    found = _version_with(model.full_name, print_)
    if found:
        say(f"{model.full_name} version {found} is this code and config already: reused")
        return Published(found, reused=True)
    mlflow.set_experiment(model.experiment)
    example = questions[0] if questions else example
    with mlflow.start_run(run_name=model.full_name.split(".")[-1]) as run:
        mlflow.set_tag(FINGERPRINT_TAG, print_)
        try:  # MLflow asks the agent the input example before it saves it
            info = mlflow.pyfunc.log_model(
                name=ARTIFACT, python_model=model.model_file, code_paths=[model.code_dir, statements_dir(model)],
                model_config=model.config,
                pip_requirements=list(MODEL_REQUIREMENTS), resources=list(model.resources) or None,
                input_example={"input": [{"role": "user", "content": example}]})
        except Exception as err:  # noqa: BLE001 - said with what to check, nothing registered
            raise EvaluationFailed(
                f"{model.full_name}: the agent failed on its input example {example!r} while being logged, so no "
                f"version was registered ({type(err).__name__}: {str(err).splitlines()[0][:300]}); check the "
                f"endpoints and the warehouse of its config {model.config}") from err
        result = evaluate(info.model_uri, questions, check)
        mlflow.log_metrics({"eval_questions": result.questions, "eval_valid_rate": result.valid_rate,
                            **{f"eval_{k}": v for k, v in sorted(result.counts.items())}})
        mlflow.log_dict({"problems": result.problems}, "evaluation/problems.json")
        if labelled:
            _evaluate_labelled(model, labelled, info.model_id, say)
    if result.questions:
        say(f"evaluated on {result.questions} delivered order(s): {result.valid} valid answer(s), "
            f"{dict(sorted(result.counts.items()))}")
    else:
        say("no delivered order to evaluate on (a local run has no data): the input example was the only check")
    if result.valid_rate < min_valid_rate:
        raise EvaluationFailed(
            f"{model.full_name}: only {result.valid} of {result.questions} answers were valid (at least "
            f"{min_valid_rate:.0%} needed), so no version was registered; first problems: {result.problems[:3]}; "
            f"see run {run.info.run_id} in experiment {model.experiment}")
    version = mlflow.register_model(info.model_uri, model.full_name, tags={FINGERPRINT_TAG: print_}).version
    say(f"registered {model.full_name} version {version}")
    return Published(str(version), reused=False, run_id=run.info.run_id, evaluation=result)


def evaluate(model_uri: str, questions: list[str], check: Callable[[str], Any]) -> Evaluation:
    """The logged model, loaded back as the endpoint will load it, asked every question."""
    import mlflow

    result = Evaluation(questions=len(questions))
    if not questions:
        return result
    loaded = mlflow.pyfunc.load_model(model_uri)
    for question in questions:
        try:
            answer = loaded.predict({"input": [{"role": "user", "content": question}]})
            text = _output_text(answer)
            kind = check(text)
        except Exception as err:  # noqa: BLE001 - every failure is a finding of the evaluation
            result.problems.append(f"{question}: {type(err).__name__}: {str(err)[:200]}")
            continue
        result.valid += 1
        result.counts[str(kind)] = result.counts.get(str(kind), 0) + 1
    return result


def _evaluate_labelled(model: AgentModel, agent: str, model_id: str, say: Callable[[str], None]) -> None:
    """The labelled set against the model's LLM endpoint, with the workspace's credentials."""
    import mlflow

    from ..evaluation.run import evaluate as run_labelled
    from . import clients

    data = run_labelled(agent, clients.openai_client(clients.workspace()), model.config["llm_endpoint"],
                        model_id=model_id, say=say)
    mlflow.log_dict(data, "evaluation/labelled.json")
    mlflow.log_metrics({"labelled_accuracy": data["accuracy"], "labelled_bound_violations": len(data["bound_violations"])})
    say(f"labelled evaluation: {data['correct']} of {data['cases']} cases right with {data['model']} "
        f"({len(data['bound_violations'])} bound violation(s)), attached to logged model {model_id}")


def _output_text(answer: Any) -> str:
    output = answer["output"] if isinstance(answer, dict) else answer.output
    item = output[-1] if isinstance(output[-1], dict) else output[-1].model_dump()
    return item["content"][0]["text"]


def _use_registry(mlflow: Any) -> None:
    """Unity Catalog, unless the environment names another registry (a local run's store)."""
    if not os.environ.get("MLFLOW_REGISTRY_URI"):
        mlflow.set_registry_uri("databricks-uc")


def _version_with(full_name: str, print_: str, newest: int = 20) -> str | None:
    """The newest of the model's versions whose fingerprint tag is `print_`."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        versions = client.search_model_versions(f"name = '{full_name}'")
    except MlflowException:  # no such model yet in this registry
        return None
    for found in sorted(versions, key=lambda v: int(v.version), reverse=True)[:newest]:
        tags = found.tags or client.get_model_version(full_name, found.version).tags or {}
        if tags.get(FINGERPRINT_TAG) == print_:
            return str(found.version)
    return None
