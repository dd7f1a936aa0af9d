"""End to end: `run-local`, `state` and `destroy-local` (what `make run-local`, `make state` and
`make destroy-local` call) against the workspace stand-in, through the generated notebooks."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, copy_project, run_compiler, EXAMPLES
from .fake_env import add_fault, objects, sdk_env
from local_workspace import LocalWorkspace

# Imported now, from the project's src/: a model the stand-in serves puts its own copy of `agents`
# (only the packages it ships) on the import path, which would shadow a later import.
sys.path.insert(0, str(ROOT / "src"))
from agents.common.answers import parse_answer  # noqa: E402
from agents.complaint.agent import FIELDS, RULES  # noqa: E402
from agents.support.agent import check_report  # noqa: E402


@pytest.fixture
def server():
    """The local workspace, its SQL statements asynchronous (PENDING, then polled), as a busy
    warehouse answers: every target must run against it. Its model replies as `make workspace`
    scripts it (src/agents/local_run_script.json)."""
    from .llm_script import local_run_script

    fake = LocalWorkspace().start()
    fake.store.config["llm_script"] = local_run_script()
    add_fault(fake, kind="statements", op="execute", mode="async")
    yield fake
    fake.stop()


def _rows(project: Path, catalog: str = "caspersdev") -> set[tuple[str, str]]:
    db = project / "build" / ".local" / "state.sqlite"
    if not db.exists():
        return set()
    return set(sqlite3.connect(db).execute("SELECT kind, identity FROM resources WHERE catalog = ?", (catalog,)))


def _live(server) -> set[tuple[str, str]]:
    """What the deployment made: every live object but those the platform made for it (an app's
    Postgres role), which uc_state never holds and which go with their app."""
    import json
    import urllib.request

    with urllib.request.urlopen(server.url + "/_fake/objects?detail=1") as response:
        detail = json.load(response)
    return {(kind, ident) for kind, found in detail.items() if not kind.startswith("_")
            for ident, obj in found.items() if not obj.get("_platform") and obj.get("lifecycle_stage") != "deleted"}


def _results(out: str) -> dict[str, str]:
    """stage -> result, from the table run-local prints last."""
    lines = out.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("stage ") and " result " in line)
    return {line.split()[0]: line.split()[2] for line in lines[start + 2:] if line.strip()}


CASPERS_TARGETS = {"free", "default", "complaints", "support", "menus", "all"}


@pytest.fixture
def caspers(caspers):
    """The project copy with the real canonical dataset: local runs execute the replay and the pipeline."""
    from .dataset import shared_dataset

    folder = caspers / "build" / "data" / "canonical" / "canonical_dataset"
    shutil.rmtree(folder)
    shutil.copytree(shared_dataset(), folder)
    return caspers


def _cli(project: Path, server, tmp_path, *args, spark: bool = True):
    """The compiler against the workspace, with its Spark Connect endpoint as `make workspace` prints
    it (unless `spark` is false: then the steps that need Spark are skipped and say so). A run of a
    Casper's target replays one day of history, not seventy (START_DAY=1): the data plane runs for
    real, on less data."""
    env = dict(sdk_env(server.url, tmp_path), **({"SPARK_REMOTE": server.spark_remote} if spark else {}))
    if spark and args[0] == "run-local" and args[2] in CASPERS_TARGETS and not any(a.startswith("START_DAY=") for a in args):
        args = (*args, "--param", "START_DAY=1")
    return run_compiler(*args, cwd=project, env=env, timeout=900)


def test_free_runs_twice_without_duplicates_and_destroys_cleanly(caspers, server, tmp_path):
    first = _cli(caspers, server, tmp_path, "run-local", "--target", "free")
    assert first.code == 0, first.err + first.out
    assert "] skipped locally:" not in first.out, first.out  # the data plane ran: dimensions, replay, pipeline
    assert "a first file in /Volumes/caspersdev/simulator/events: done" in first.out
    assert "table caspersdev.lakeflow.all_events: done" in first.out
    live = _live(server)
    assert {kind for kind, _ in live} == {"catalogs", "schemas", "volumes", "jobs", "pipelines"}
    assert _rows(caspers) == live  # uc_state holds exactly what the stand-in holds: same kinds, same ids
    state = _cli(caspers, server, tmp_path, "state", "--target", "free")
    assert "uc_state for catalog caspersdev" in state.out and "Canonical Data Replay (caspersdev)" in state.out
    assert "Pipeline Update Scheduler (caspersdev)" in state.out  # free triggers the pipeline

    second = _cli(caspers, server, tmp_path, "run-local", "--target", "free")
    assert second.code == 0, second.err
    assert _live(server) == live and _rows(caspers) == live
    count = sqlite3.connect(caspers / "build" / ".local" / "state.sqlite").execute("SELECT count(*) FROM resources")
    assert count.fetchone() == (len(live),)
    names = sqlite3.connect(caspers / "build" / ".local" / "state.sqlite").execute("SELECT kind, name FROM resources")
    assert all(name for _, name in names), "a rerun must keep the names recorded by the first run"

    dry = _cli(caspers, server, tmp_path, "destroy-local", "--target", "free", "--dry-run")
    assert dry.code == 0 and "would delete" in dry.out and _live(server) == live
    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", "free")
    assert gone.code == 0, gone.err + gone.out
    assert _live(server) == set() and _rows(caspers) == set()


def test_parameters_can_be_overridden(caspers, server, tmp_path):
    run = _cli(caspers, server, tmp_path, "run-local", "--target", "free", "--param", "CATALOG=other_cat")
    assert run.code == 0, run.err
    assert ("catalogs", "other_cat") in _live(server) and _rows(caspers, "other_cat") == _live(server)
    bad = _cli(caspers, server, tmp_path, "run-local", "--target", "free", "--param", "NOPE=1")
    assert bad.code == 1 and "error: target free has no parameter NOPE [O102]" in bad.err


def test_repeated_destroy_with_30_percent_delete_failures_ends_with_nothing(caspers, server, tmp_path):
    assert _cli(caspers, server, tmp_path, "run-local", "--target", "free").code == 0
    add_fault(server, kind="*", op="delete", fraction=0.3, seed=3)
    for attempt in range(12):
        run = _cli(caspers, server, tmp_path, "destroy-local", "--target", "free")
        assert _live(server) <= _rows(caspers)  # never a lost row for an object that still exists
        if run.code == 0:
            break
        assert "could not be deleted and stay registered" in run.err
    assert _live(server) == set() and _rows(caspers) == set() and attempt > 0


def test_a_new_stage_creating_a_job_and_a_pipeline_is_registered_and_cleaned(tmp_path, server):
    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    (project / "spec" / "stages" / "maker.yaml").write_text(
        "task_key: Maker\ndescription: Creates a job and a pipeline.\nparameters: [CATALOG]\ntargets: [dev]\n")
    (project / "src" / "stages" / "maker.py").write_text(
        "from databricks.sdk.service import jobs\n\n\n"
        "def run(ctx):\n"
        "    catalog = ctx.params[\"CATALOG\"]\n"
        "    w = ctx.workspace\n"
        "    w.catalogs.create(name=catalog)\n"
        "    w.jobs.create(name=f\"Maker job ({catalog})\", tasks=[jobs.Task(task_key=\"t\", "
        "notebook_task=jobs.NotebookTask(notebook_path=ctx.bundle_path(\"stages\", \"maker\")))])\n"
        "    w.pipelines.create(name=f\"Maker pipeline ({catalog})\", catalog=catalog, schema=\"out\")\n")
    run = _cli(project, server, tmp_path, "run-local", "--target", "dev")
    assert run.code == 0, run.err + run.out
    assert {kind for kind, _ in _live(server)} == {"catalogs", "jobs", "pipelines"}
    assert _rows(project, "dev") == _live(server)
    assert _cli(project, server, tmp_path, "destroy-local", "--target", "dev").code == 0
    assert _live(server) == set() and _rows(project, "dev") == set()


def test_a_local_run_without_the_shipped_data_says_so_in_one_line(caspers, server, tmp_path):
    """What a deploy refuses, a local run refuses too, before any stage runs (not a stage's traceback)."""
    import shutil

    shutil.rmtree(caspers / "build" / "data" / "documents")
    run = _cli(caspers, server, tmp_path, "run-local", "--target", "menus")
    assert run.code == 1 and "Traceback" not in run.err + run.out
    assert [line for line in run.err.splitlines() if line.startswith("error:")] == [
        "error: build/data/documents/generated holds no files, and the bundle's stages and jobs read it [O115]"]
    assert "run `make data` first (make deploy and make run-local do)" in run.err
    assert _live(server) == set()  # nothing ran


def test_make_run_local_checks_the_workspace_then_prepares_the_data_as_deploy_does():
    """The make target's steps, as make would run them (-n prints them without running any)."""
    import subprocess

    from .conftest import ROOT

    steps = subprocess.run(["make", "-n", "--no-print-directory", "run-local", "TARGET=menus"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    check = next(i for i, s in enumerate(steps) if "-m compiler.make run-local-preflight" in s)
    documents = next(i for i, s in enumerate(steps) if "src/data/documents/generate.py" in s and "--if-changed" in s)
    dataset = next(i for i, s in enumerate(steps) if "src/data/canonical/generate.py" in s and "--if-changed" in s)
    run = next(i for i, s in enumerate(steps) if s.endswith("-m compiler.make run-local"))
    assert check < min(documents, dataset) and max(documents, dataset) < run


def _impatient_env(server, tmp_path) -> dict:
    """A client of the stand-in whose SDK gives up on an answer after 1 s and on retrying after 2 s."""
    env = sdk_env(server.url, tmp_path)
    profile = tmp_path / "impatient.cfg"
    profile.write_text(f"[{env['DATABRICKS_CONFIG_PROFILE']}]\nhost = {server.url}\ntoken = t\nauth_type = pat\n"
                       "retry_timeout_seconds = 2\nhttp_timeout_seconds = 1\n")
    env["DATABRICKS_CONFIG_FILE"] = str(profile)
    return env


def test_a_wait_that_runs_out_is_an_operator_error_naming_what_was_awaited(caspers, server, tmp_path):
    """Not "internal compiler error: TimeoutError". The operator commands wait generously for the
    workspace (scaled by OPS_WAIT_SCALE; 0.01 makes it about a second)."""
    add_fault(server, kind="current_user", op="get", mode="slow", seconds=30)  # slower than the client waits
    env = {**_impatient_env(server, tmp_path), "OPS_WAIT_SCALE": "0.01"}
    run = run_compiler("run-local", "--target", "free", cwd=caspers, env=env, timeout=120)
    assert run.code == 1 and "internal compiler error" not in run.err and "Traceback" not in run.err, run.err
    error = [line for line in run.err.splitlines() if line.startswith("error:")][0]
    assert error.startswith("error: timed out after") and f"waiting for the workspace at {server.url} to say who you " \
        "are" in error
    assert "[O124]" in run.err and "OPS_WAIT_SCALE=3" in run.err


def test_a_failed_app_local_stops_its_postgres(caspers, server, tmp_path):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    from compiler.ops.local_postgres import LocalPostgres

    WorkspaceClient(config=Config(host=server.url, token="t", auth_type="pat")).warehouses.create(
        name="caspersdev-warehouse")
    add_fault(server, kind="statements", op="execute", mode="500")  # scoring cannot list delivered orders
    run = _local_app(caspers, server, tmp_path, "refund-manager", "--items", "2")
    assert run.code == 1 and "error: the warehouse could not list delivered orders" in run.err, run.err
    assert "Traceback" not in run.err
    folder = caspers / "build" / ".local" / "postgres"
    assert "local PostgreSQL on port" in run.out
    assert not Path(LocalPostgres(str(folder), 1).data, "postmaster.pid").exists()  # stopped, data kept
    assert _cli(caspers, server, tmp_path, "destroy-local", "--target", "default").code == 0
    assert not folder.exists()


def test_run_local_without_a_workspace_says_how_to_get_one(caspers):
    import os

    env = {k: "" for k in os.environ if k.startswith("DATABRICKS_")}
    run = run_compiler("run-local", "--target", "free", cwd=caspers, env=env)
    assert run.code == 1 and "DATABRICKS_HOST" in run.err and "make workspace" in run.err


def _run_example_with(tmp_path, server, stage: str, source: str) -> tuple[Path, object]:
    """run-local of the example project, one stage's source replaced."""
    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    (project / "src" / "stages" / f"{stage}.py").write_text(source)
    return project, _cli(project, server, tmp_path, "run-local", "--target", "dev")


def test_a_failing_stage_shows_its_own_source_lines(tmp_path, server):
    _, run = _run_example_with(tmp_path, server, "report", (
        "def run(ctx):\n"
        "    catalog, days = ctx.params[\"CATALOG\"], ctx.params[\"WINDOW_DAYS\"]\n"
        "    raise RuntimeError(f\"report for {catalog} over {days} days failed\")  # the line to show\n"))
    assert run.code == 1
    assert 'File "src/stages/report.py", line 3, in run' in run.err + run.out
    assert "# the line to show" in run.err + run.out  # the stage's line, not the notebook's line 3


def test_a_stage_that_leaves_a_creation_unregistered_fails_its_task(tmp_path, server):
    """The generated notebook's final check, end to end: a raw call whose answer lacks the id, never
    tracked, fails the task (and the intent row lets cleanup find the resource by name)."""
    project, run = _run_example_with(tmp_path, server, "ingest", (
        "def run(ctx):\n"
        "    ctx.params[\"CATALOG\"], ctx.params[\"SCHEMA\"]\n"
        "    ctx.workspace.api_client.do(\"POST\", \"/api/2.0/knowledge-assistants\", body={\"name\": \"menus (dev)\"})\n"))
    assert run.code == 1
    assert "created 1 resource(s) that were never registered: knowledge_assistants 'menus (dev)'" in run.err
    rows = {line.split()[0]: line.split()[2] for line in run.out.splitlines()[-3:]}
    assert rows == {"ingest": "failed", "transform": "not", "report": "not"}  # not run (upstream failed)
    assert _cli(project, server, tmp_path, "destroy-local", "--target", "dev").code == 0
    assert _live(server) == set()  # resolved by name from its intent row


def test_default_runs_all_six_stages_twice_and_destroys_cleanly(caspers, server, tmp_path, monkeypatch):
    """`make run-local TARGET=default`: all six stages ok; the agent is logged to the local MLflow
    store and the stand-in serves it from there; a rerun creates nothing (same objects, same model
    version); destroy-local leaves nothing."""
    import json
    import urllib.request

    # The stand-in, as `python -m local_workspace` runs it: agent endpoints served from the local
    # MLflow store (versions checked there when an endpoint is created), with serving credentials.
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "serving")
    server.store.config["mlflow_uri"] = "sqlite:///" + str(caspers / "build" / ".local" / "mlflow.db")
    first = _cli(caspers, server, tmp_path, "run-local", "--target", "default")
    table = _results(first.out)
    assert first.code == 0 and table == {k: "ok" for k in ("canonical_data", "lakeflow", "refunder_agent",
                                                           "refunder_stream", "lakebase", "apps")}, first.out + first.err
    assert "registered caspersdev.ai.refund_agent version 1" in first.out
    live = _live(server)
    assert {kind for kind, _ in live} == {"catalogs", "schemas", "volumes", "jobs", "pipelines", "warehouses",
                                          "experiments", "registered_models", "serving_endpoints", "database_instances",
                                          "database_catalogs", "synced_tables", "apps"}  # the app's Postgres role is the platform's
    assert {("serving_endpoints", "caspersdev_refund_agent"), ("registered_models", "caspersdev.ai.refund_agent"),
            ("schemas", "caspersdev.ai"), ("schemas", "caspersdev.recommender")} <= live
    assert _rows(caspers) == live

    request = urllib.request.Request(server.url + "/serving-endpoints/caspersdev_refund_agent/invocations",
                                     data=json.dumps({"input": [{"role": "user", "content": "Order id: x1"}]}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        text = json.load(response)["output"][-1]["content"][0]["text"]
    assert json.loads(text)["refund_class"] == "none"  # the local run's script: no model judged it
    endpoint = server.store.find("serving_endpoints", "caspersdev_refund_agent")  # as databricks-agents deploys:
    assert endpoint["ai_gateway"]["inference_table_config"] == {  # inference tables in the model's schema,
        "catalog_name": "caspersdev", "schema_name": "ai", "table_name_prefix": "refund_agent", "enabled": True}
    experiment = next(e for e in server.store.detail()["experiments"].values() if e["name"] == "/Shared/caspersdev_refund_agent")
    assert {"key": "MONITOR_EXPERIMENT_ID", "value": experiment["experiment_id"]} in endpoint["tags"]  # traces, monitors
    entity = endpoint["config"]["served_entities"][0]
    assert entity["environment_vars"]["ENABLE_MLFLOW_TRACING"] == "true"

    second = _cli(caspers, server, tmp_path, "run-local", "--target", "default")
    assert "caspersdev.ai.refund_agent version 1 is this code and config already: reused" in second.out
    assert _live(server) == live and _rows(caspers) == live
    creates = [e for e in json.load(urllib.request.urlopen(server.url + "/_fake/log"))
               if e["op"] == "create" and e["method"] == "POST"]
    assert len(creates) == len(live)  # every create happened once, in the first run

    # `make app-local` over this workspace, whose pipeline has written its tables: a local PostgreSQL
    # (its data outside pytest's folders, which the postgres user cannot enter), 6 orders scored by the
    # served agent with the stream's code, the app started and asked for its health and summary.
    app = _local_app(caspers, server, tmp_path, "refund-manager", "--items", "6")
    assert app.code == 0, app.err + app.out
    assert "6 pending: 6 scored (0 stored as errors)" in app.out
    assert 'healthz: {"database": "reachable", "status": "ok"}' in app.out
    summary = json.loads(app.out.split("summary: ", 1)[1].splitlines()[0])
    assert (summary["recommendations"], summary["pending"], summary["decided"]) == (6, 6, 0)
    again = _local_app(caspers, server, tmp_path, "refund-manager", "--items", "2")
    assert '"recommendations": 8' in again.out  # the decisions' database is kept; only new orders are scored
    assert _live(server) == live  # app-local creates nothing in the workspace

    state = _cli(caspers, server, tmp_path, "state", "--target", "default")
    assert f"{len(live)} resource(s), {len(live)} created and 0 adopted" in state.out
    header = next(line for line in state.out.splitlines() if line.startswith("kind "))
    assert header.split() == ["kind", "identity", "name", "stage", "target", "origin", "status"]

    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", "default")
    assert gone.code == 0, gone.err + gone.out
    assert _live(server) == set() and _rows(caspers) == set()
    assert "removed the apps' local PostgreSQL" in gone.out
    local = caspers / "build" / ".local"
    assert not (local / "postgres").exists() and not (local / "reports").exists()
    # The MLflow store is the workspace's tracking server: kept, with nothing of ours active in it
    # (_live above: no experiment, scorer or model left)


def _local_app(project: Path, server, tmp_path, *args: str):
    """`make app-local`: python -m apps.local over the project's src/, once (print, then stop)."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT, Run

    env = {**os.environ, **sdk_env(server.url, tmp_path), "PYTHONPATH": os.pathsep.join([str(project / "src"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-m", "apps.local", *args, "--once", "--port", str(_free_port()),
                           "--out", str(project / "build")], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _free_port() -> int:
    from compiler.ops.local_postgres import free_port

    return free_port()


def test_an_unknown_llm_model_fails_the_agent_stage_before_it_creates_anything(caspers, server, tmp_path):
    run = _cli(caspers, server, tmp_path, "run-local", "--target", "default", "--param", "LLM_MODEL=llama-nope")
    assert run.code == 1
    assert ("parameter LLM_MODEL: no serving endpoint named 'llama-nope' in this workspace; pick a foundation model "
            "endpoint listed under Serving") in run.err
    table = _results(run.out)
    assert (table["lakeflow"], table["refunder_agent"], table["refunder_stream"]) == ("ok", "failed", "not")
    assert {kind for kind, _ in _live(server)} == {"catalogs", "schemas", "volumes", "jobs", "pipelines"}
    assert _rows(caspers) == _live(server)


def test_complaints_runs_all_six_stages_twice_and_destroys_cleanly(caspers, server, tmp_path, monkeypatch):
    """`make run-local TARGET=complaints`: all ok; the complaint agent is logged, served, and answers a
    complaint with a valid ComplaintResponse; the two experiments and the jobs exist once; a rerun
    creates nothing; destroy-local leaves nothing."""
    import json
    import urllib.request

    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "serving")
    server.store.config["mlflow_uri"] = "sqlite:///" + str(caspers / "build" / ".local" / "mlflow.db")
    first = _cli(caspers, server, tmp_path, "run-local", "--target", "complaints")
    stages = ("canonical_data", "lakeflow", "complaint_agent", "complaint_generator_stream", "complaint_agent_stream",
              "complaint_lakebase")
    assert first.code == 0 and _results(first.out) == {k: "ok" for k in stages}, first.out + first.err
    live = _live(server)
    experiments = {e["name"]: i for i, e in server.store.detail()["experiments"].items()}
    prod = experiments["/Shared/caspersdev_complaint_agent_prod"]
    assert "/Shared/caspersdev_complaint_agent_dev" in experiments and ("experiments", prod) in live
    # The scorers, in the MLflow store the workspace's experiments API answers from, sampling 10%,
    # judged through the workspace's gateway endpoint for the LLM; in uc_state as created.
    from mlflow.genai.scorers.registry import MlflowTrackingStore

    scorers = MlflowTrackingStore(server.store.config["mlflow_uri"])  # MLflow's own reader, not the workspace's
    for name in ("complaint_agent_decision_quality", "complaint_agent_credit_reason"):
        scorer = scorers.get_scorer(prod, name)
        assert (scorer.sample_rate, scorer.model) == (0.1, "gateway:/databricks-meta-llama-3-3-70b-instruct")
        assert ("scorers", f"{prod}/{name}") in live
    jobs = sorted(server.store.find("jobs", i)["settings"]["name"] for k, i in live if k == "jobs")
    assert jobs == ["Canonical Data Replay (caspersdev)", "Complaint Agent Stream (caspersdev)",
                    "Complaint Generator Stream (caspersdev)"]
    assert ("database_instances", "caspersdevcomplaintmanager") in live and _rows(caspers) == live

    request = urllib.request.Request(
        server.url + "/serving-endpoints/caspersdev_complaint_agent/invocations",
        data=json.dumps({"input": [{"role": "user", "content": "I'm calling my lawyer! (Order ID: x1)"}]}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        text = json.load(response)["output"][-1]["content"][0]["text"]
    answer = parse_answer(text, FIELDS, RULES)  # what the local run's script has the model say, checked
    assert (answer["decision"], answer["priority"], answer["order_id"]) == ("escalate", "standard", "x1")
    assert answer["rationale"].startswith("Scripted by the stand-in model")

    second = _cli(caspers, server, tmp_path, "run-local", "--target", "complaints")
    assert second.code == 0 and "caspersdev.ai.complaint_agent version 1 is this code and config already" in second.out
    assert _live(server) == live and _rows(caspers) == live
    creates = [e for e in json.load(urllib.request.urlopen(server.url + "/_fake/log"))
               if e["op"] == "create" and e["method"] == "POST"]
    assert len(creates) == len(live) - 2  # every create happened once, in the first run (the scorers: MLflow's)

    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", "complaints")
    assert gone.code == 0, gone.err + gone.out
    assert _live(server) == set() and _rows(caspers) == set()


def test_support_runs_all_six_stages_twice_and_destroys_cleanly(caspers, server, tmp_path, monkeypatch):
    """`make run-local TARGET=support`: all ok; the support agent logged, served, and answering a case
    with a valid SupportReport; the console app with its resources; a rerun creates nothing;
    destroy-local leaves nothing."""
    import json
    import urllib.request

    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "serving")
    server.store.config["mlflow_uri"] = "sqlite:///" + str(caspers / "build" / ".local" / "mlflow.db")
    first = _cli(caspers, server, tmp_path, "run-local", "--target", "support")
    stages = ("canonical_data", "lakeflow", "support_request_generator_stream", "support_request_agent",
              "support_request_agent_stream", "support_lakebase")
    assert first.code == 0 and _results(first.out) == {k: "ok" for k in stages}, first.out + first.err
    live = _live(server)
    assert {("apps", "support-console-caspersdev"), ("database_instances", "caspersdevsupportmanager"),
            ("serving_endpoints", "caspersdev_support_agent")} <= live and _rows(caspers) == live

    case = {"support_request_id": "r-1", "user_id": "user-001", "order_id": "x1", "request_type": "billing",
            "edge_case_type": "abusive_language", "request_text": "Useless, all of you."}
    request = urllib.request.Request(
        server.url + "/serving-endpoints/caspersdev_support_agent/invocations",
        data=json.dumps({"input": [{"role": "user", "content": json.dumps(case)}]}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        report = check_report(json.load(response)["output"][-1]["content"][0]["text"])
    assert report["escalation_flag"] is True and report["refund_recommendation"]["amount_usd"] == 0.0

    second = _cli(caspers, server, tmp_path, "run-local", "--target", "support")
    assert second.code == 0 and "caspersdev.ai.support_agent version 1 is this code and config already" in second.out
    assert _live(server) == live and _rows(caspers) == live
    creates = [e for e in json.load(urllib.request.urlopen(server.url + "/_fake/log"))
               if e["op"] == "create" and e["method"] == "POST"]
    assert len(creates) == len(live)

    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", "support")
    assert gone.code == 0, gone.err + gone.out
    assert _live(server) == set() and _rows(caspers) == set()


def test_menus_runs_all_eight_stages_twice_and_destroys_cleanly(caspers, server, tmp_path):
    """`make run-local TARGET=menus`: all ok; the documents in their volumes, one pipeline, warehouse,
    Genie space, two assistants and a supervisor wired to them, each registered under the identity
    cleanup deletes; a rerun creates nothing; destroy-local leaves nothing, files included."""
    import json
    import urllib.request

    first = _cli(caspers, server, tmp_path, "run-local", "--target", "menus")
    stages = ("canonical_data", "inspection_data", "inspection_knowledge_agent", "menu_data", "menu_knowledge_agent",
              "menu_pipeline", "menu_genie", "menu_supervisor")
    assert first.code == 0 and _results(first.out) == {k: "ok" for k in stages}, first.out + first.err
    live = _live(server)
    kinds = {kind for kind, _ in live}
    assert {"pipelines", "warehouses", "genie_spaces", "knowledge_assistants", "multi_agent_supervisors"} <= kinds
    assert _rows(caspers) == {(kind, f"knowledge-assistants/{i}" if kind == "knowledge_assistants" else
                               f"supervisor-agents/{i}" if kind == "multi_agent_supervisors" else i)
                              for kind, i in live}  # uc_state holds each under the name cleanup deletes
    documents = ("/Volumes/caspersdev/menu_documents/", "/Volumes/caspersdev/food_safety/")  # the replay's grow
    files = sorted(f for f in server.store.volume_files if f.startswith(documents))
    assert len([f for f in files if f.startswith("/Volumes/caspersdev/menu_documents/menus/")]) == 19
    assert len([f for f in files if f.startswith("/Volumes/caspersdev/food_safety/reports/")]) == 12
    assert [p["name"] for p in server.store.all("pipelines")] == ["Menu Document Processing Pipeline (caspersdev)"]

    second = _cli(caspers, server, tmp_path, "run-local", "--target", "menus")
    assert second.code == 0 and _results(second.out) == {k: "ok" for k in stages}, second.out + second.err
    assert _live(server) == live and sorted(f for f in server.store.volume_files if f.startswith(documents)) == files
    creates = [e for e in json.load(urllib.request.urlopen(server.url + "/_fake/log"))
               if e["op"] == "create" and e["method"] == "POST"]
    assert len(creates) == len(live)  # every create happened once, in the first run

    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", "menus")
    assert gone.code == 0, gone.err + gone.out
    assert _live(server) == set() and _rows(caspers) == set() and server.store.volume_files == {}
