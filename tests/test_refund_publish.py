"""Publishing and serving the refund agent, then the stream scoring through it, all for real: the
agent logged from code to a local MLflow store, evaluated on delivered orders through the stand-in
(its model answering what each test scripts, its SQL tools on local Spark), registered once per
fingerprint; the stand-in serving the registered version; the stream's endpoint asker calling it;
every stored answer the one scripted for its order."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import ROOT
from . import llm_script as script
from .dataset import delivered_orders, shared_dataset
from .fake_env import add_fault, configure, fake, warehouse_config  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "src"))

LLM = "databricks-meta-llama-3-3-70b-instruct"


KINDS = ("none", "partial", "full")


@pytest.fixture(scope="module")
def expected() -> dict[str, dict]:
    """Twelve delivered orders, each with the answer this test scripts for it (not a policy: a
    different answer per order, so a mixed-up or lost answer shows)."""
    return {order_id: {"refund_usd": [0, 2.5 + i, 20.0 + i][i % 3], "refund_class": KINDS[i % 3],
                       "reason": f"Scripted answer {i} for {order_id}."}
            for i, order_id in enumerate(delivered_orders(2)[:12])}


def _script(fake, expected) -> None:
    script.install(fake, *(script.rule(rf"^Order id: {order_id}$",
                                       script.call(("refund_order_details", {"oid": order_id})), script.say(answer))
                           for order_id, answer in expected.items()),
                   script.rule(r"^Order id: ", script.say({"refund_usd": 0, "refund_class": "none",
                                                           "reason": "Scripted for any other order."})))


@pytest.fixture
def setup(fake, tmp_path, monkeypatch):  # noqa: F811
    """The stand-in with two days of data, a warehouse, and MLflow on a store of this test."""
    from databricks.sdk import WorkspaceClient

    uri = "file:" + str(tmp_path / "mlflow")
    for name, value in {"MLFLOW_TRACKING_URI": uri, "MLFLOW_REGISTRY_URI": uri, "MLFLOW_ALLOW_FILE_STORE": "true"}.items():
        monkeypatch.setenv(name, value)
    configure(fake, mlflow_uri=uri, endpoint_ready_after=1,
              sql=warehouse_config("cat", shared_dataset()))
    w = WorkspaceClient()
    return w, w.warehouses.create(name="cat-refund-agent-warehouse").response.id


def _model(warehouse_id: str, **config):
    from agents.common.publish import AgentModel

    return AgentModel(full_name="cat.ai.refund_agent", experiment="/Shared/cat_refund_agent",
                      model_file=str(ROOT / "src" / "agents" / "refund" / "model.py"),
                      code_dir=str(ROOT / "src" / "agents"),
                      config={"catalog": "cat", "llm_endpoint": LLM, "warehouse_id": warehouse_id, **config})


def _check(text: str) -> str:
    from agents.common.answers import parse_answer
    from agents.refund.agent import FIELDS

    return parse_answer(text, FIELDS)["refund_class"]


def _chosen(expected) -> list[str]:
    return list(expected)[:3]  # one of each class, as scripted


def _runs(experiment: str) -> int:
    import mlflow

    return len(mlflow.search_runs(experiment_names=[experiment], output_format="list"))


def test_publish_logs_evaluates_and_registers_once_per_fingerprint(setup, expected, fake):  # noqa: F811
    from agents.common.publish import EvaluationFailed, publish

    w, warehouse = setup
    _script(fake, expected)
    questions = [f"Order id: {o}" for o in _chosen(expected)]
    first = publish(_model(warehouse), questions, _check, say=lambda text: None)
    assert (first.version, first.reused) == ("1", False)
    assert (first.evaluation.valid, first.evaluation.counts) == (3, {"none": 1, "partial": 1, "full": 1})

    again = publish(_model(warehouse), questions, _check, say=lambda text: None)
    assert (again.version, again.reused) == ("1", True) and _runs("/Shared/cat_refund_agent") == 1

    changed = publish(_model(warehouse, note="v2"), [], _check, say=lambda text: None)
    assert (changed.version, changed.reused) == ("2", False)  # a config change is a new version

    def no_full(text: str) -> str:
        if _check(text) == "full":
            raise ValueError("a full refund needs a human")
        return "ok"

    with pytest.raises(EvaluationFailed, match=r"only 2 of 3 answers were valid \(at least 80% needed\), so no "
                                               r"version was registered; first problems: \['Order id: .*a full refund"):
        publish(_model(warehouse, note="v3"), questions, no_full, say=lambda text: None)
    add_fault(fake, kind="serving_invocations", op="invoke", mode="garbage")
    with pytest.raises(EvaluationFailed, match="failed on its input example .* no valid answer after 3 tries: not JSON"):
        publish(_model(warehouse, note="v4"), questions, _check, say=lambda text: None)
    import mlflow

    versions = mlflow.MlflowClient().search_model_versions("name = 'cat.ai.refund_agent'")
    assert sorted(str(v.version) for v in versions) == ["1", "2"]  # the failed ones registered nothing


def test_the_stream_scores_through_the_served_agent_each_order_once(setup, expected, fake):  # noqa: F811
    """stream -> agent endpoint (the registered model, loaded by the stand-in) -> scripted model and
    SQL tools, under a storm of 429s, over capped runs: every order scored once, with its own answer."""
    from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput

    from agents.common.clients import openai_client
    from agents.common.publish import publish
    from jobs import refund_stream as rs
    from stage_runtime.waits import wait_for_endpoint

    w, warehouse = setup
    _script(fake, expected)
    version = publish(_model(warehouse), [], _check, say=lambda text: None,
                      example=f"Order id: {next(iter(expected))}").version
    w.catalogs.create(name="cat")
    w.schemas.create(name="ai", catalog_name="cat")
    w.registered_models.create(catalog_name="cat", schema_name="ai", name="refund_agent")
    assert w.model_versions.get("cat.ai.refund_agent", int(version)).run_id  # the stand-in's UC sees the registry
    with pytest.raises(Exception, match="Model version cat.ai.refund_agent/7 does not exist"):
        w.serving_endpoints.create(name="cat_refund_agent", config=EndpointCoreConfigInput(
            name="cat_refund_agent", served_entities=[ServedEntityInput(entity_name="cat.ai.refund_agent",
                                                                        entity_version="7")]))
    w.serving_endpoints.create(name="cat_refund_agent", config=EndpointCoreConfigInput(
        name="cat_refund_agent", served_entities=[ServedEntityInput(entity_name="cat.ai.refund_agent",
                                                                    entity_version=version, workload_size="Small",
                                                                    scale_to_zero_enabled=False)]))
    ask = rs.endpoint_asker(openai_client(w), "cat_refund_agent")
    with pytest.raises(rs.Transient, match="503 - Endpoint 'cat_refund_agent' is not ready"):  # not READY yet: the next run will see it
        ask("x")
    wait_for_endpoint(w, "cat_refund_agent", 30, poll_s=0.01, say=lambda text: None)

    chosen = sorted(expected)
    sink = rs.MemorySink([rs.Order(o, None, f"2024-01-01 00:{i:02d}") for i, o in enumerate(chosen)])
    add_fault(fake, kind="serving_invocations", op="invoke", mode="429", fraction=0.3, seed=4)
    summaries = []
    while not summaries or summaries[-1].pending:  # each run scores what is pending; what failed waits
        assert len(summaries) < 8, summaries
        summaries.append(rs.run(sink, ask, rs.Settings(cap=8, concurrency=4, backoff_s=0.001, attempts=3),
                                sleep=lambda s: None, say=lambda text: None))
    assert summaries[0].pending == 8 and sum(s.retries for s in summaries) > 0
    assert sorted(sink.rows) == chosen and sum(s.scored for s in summaries) == len(chosen)
    for order_id, row in sink.rows.items():
        answer = json.loads(row.agent_response)
        assert answer == expected[order_id], order_id  # each order's own answer, through stream, endpoint, agent


def test_the_model_and_the_stage_pin_what_the_lock_pins():
    """The served model's requirements, the stage's and the stream job's %pip lines and the locks agree."""
    import yaml

    from agents.common.publish import MODEL_REQUIREMENTS

    lock = dict(line.split("==") for line in (ROOT / "requirements-agents.lock").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    lock.update(dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().splitlines()
                     if "==" in line and not line.startswith("#")))
    stage = yaml.safe_load((ROOT / "spec" / "stages" / "refunder_agent.yaml").read_text())
    notebook = (ROOT / "src" / "jobs" / "refund_recommender_stream.py").read_text()
    job_pins = next(line for line in notebook.splitlines() if "%pip install" in line).split()[5:]
    assert job_pins, "the stream job's notebook pins what it installs"
    for pin in (*MODEL_REQUIREMENTS, *stage["requirements"], *job_pins):
        name, version = pin.split("==")
        assert lock.get(name) == version, pin


def _stage_module(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"stage_{name}", ROOT / "src" / "stages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _SparkCtx:
    """A stage context whose Spark answers a script: a list of order ids, or an exception to raise."""

    def __init__(self, *answers):
        self.answers, self.queries = iter(answers), []

    def needs_spark(self, step: str) -> bool:
        return True

    def sql(self, query: str, **args):
        import types

        self.queries.append((query, args))
        answer = next(self.answers)
        if isinstance(answer, Exception):
            raise answer
        return types.SimpleNamespace(collect=lambda: [{"order_id": o} for o in answer])


def test_the_agent_stage_waits_for_delivered_orders_and_says_what_to_check(monkeypatch):
    import functools

    from stage_runtime import waits

    from caspers import agent_stage as stage

    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    monkeypatch.setattr(stage, "wait_until", functools.partial(waits.wait_until, sleep=sleep, clock=lambda: now[0],
                                                               say=lambda text: None))
    missing = RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] The table `cat`.`lakeflow`.`all_events` cannot be found")
    ctx = _SparkCtx(missing, [], ["A1", "B2"])
    assert stage.delivered_orders(ctx, "cat") == ["A1", "B2"]  # no table yet, then no order yet, then orders
    assert "`cat`.`lakeflow`.`all_events`" in ctx.queries[0][0] and ctx.queries[0][1] == {"n": 10}

    with pytest.raises(TimeoutError, match=r"a delivered order in cat.lakeflow.all_events: nothing within 600 s; "
                                           r"check the pipeline 'Order Items Medallion Pipeline \(cat\)' and the job "
                                           r"'Canonical Data Replay \(cat\)'"):
        stage.delivered_orders(_SparkCtx(*([[]] * 40)), "cat")
    with pytest.raises(RuntimeError, match="PERMISSION_DENIED"):  # anything else is not waited out
        stage.delivered_orders(_SparkCtx(RuntimeError("PERMISSION_DENIED on all_events")), "cat")


def test_the_labelled_evaluation_is_attached_to_the_logged_model(setup, fake):  # noqa: F811
    """As the stage does on a workspace: the labelled set run against the model's LLM endpoint (here
    the stand-in's model, scripted with the labelled answers for all but one case), its traces and
    report attached to the logged model."""
    import mlflow

    from agents.common.publish import publish
    from agents.evaluation import cases as case_sets

    w, warehouse = setup
    cases = case_sets.load("refund").cases
    rules = [script.rule(rf"^Order id: {c.order['order_id']}$", script.say(
        {"refund_usd": c.expect["refund_usd"][0], "refund_class": "full" if i == 0 else c.expect["refund_class"],
         "reason": "Scripted."})) for i, c in enumerate(cases)]
    script.install(fake, *rules, script.rule(r"^Order id: ", script.say(
        {"refund_usd": 0, "refund_class": "none", "reason": "Scripted for any other order."})))
    said = []
    published = publish(_model(warehouse, note="labelled"), [], _check, say=said.append, labelled="refund")
    assert any(f"labelled evaluation: {len(cases) - 1} of {len(cases)} cases right" in line for line in said), said
    run = mlflow.get_run(published.run_id)
    assert run.data.metrics["labelled_accuracy"] == pytest.approx(round((len(cases) - 1) / len(cases), 3))
    model_id = mlflow.get_logged_model(run.outputs.model_outputs[0].model_id).model_id
    traces = mlflow.search_traces(model_id=model_id, return_type="list")
    assert len(traces) >= len(cases)  # every labelled case's trace is the logged model's
    report = mlflow.artifacts.load_dict(f"runs:/{published.run_id}/evaluation/labelled.json")
    assert report["failures"][0]["case"] == cases[0].id
