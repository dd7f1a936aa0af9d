"""uc_state that no creation escapes: every way a stage's code (or a library it calls) can create a
resource is recorded, exactly and crash-safely, and cleanup converges on the answers a real
workspace gives. Each test here failed on the runtime before issue 17."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT
from .fake_env import add_fault, fake, objects, runtime, sdk_env  # noqa: F401  (fixtures)


def _ctx(tmp_path, catalog="cat", stage="demo", sweep=False, factory=None):
    from stage_runtime.context import Params, StageContext
    from stage_runtime.state import SqliteState

    db = tmp_path / "state.sqlite"
    return StageContext({"name": stage, "parameters": [], "state": {"catalog_parameter": "CATALOG"}},
                        Params(stage, {}), catalog=catalog, target="dev", run_id="run-1", sweep=sweep,
                        state_factory=lambda: SqliteState(str(db)), workspace_factory=factory)


def _rows(ctx) -> set[tuple[str, str]]:
    return {(r.kind, r.identity) for r in ctx.state.list()}


def _live(server, kind) -> set[str]:
    return set(objects(server).get(kind, []))


def _log(server) -> list[dict]:
    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return json.load(response)


# ---- escapes through ctx.workspace --------------------------------------------------------------
@pytest.mark.parametrize("call", ["lower-case method", "query string", "url="])
def test_raw_calls_in_any_form_are_registered(runtime, fake, tmp_path, call):
    ctx = _ctx(tmp_path)
    w = ctx.workspace
    body = {"name": f"p-{call} (cat)", "catalog": "cat"}
    if call == "lower-case method":
        answer = w.api_client.do("post", "/api/2.0/pipelines", body=body)
    elif call == "query string":
        answer = w.api_client.do("POST", "/api/2.0/pipelines?allow_duplicate_names=false", body=body)
    else:
        answer = w.api_client.do("POST", url=f"{fake.url}/api/2.0/pipelines", body=body)
    assert _rows(ctx) == {("pipelines", answer["pipeline_id"])} == {("pipelines", p) for p in _live(fake, "pipelines")}
    ctx.close()


SDK_CREATIONS = {
    # kind: (setup, create) through the pinned SDK's own services
    "job_runs": (None, lambda w: w.jobs.submit(run_name="once (cat)", tasks=[]).response.run_id),
    "pipelines": (lambda w: w.pipelines.create(name="src (cat)", catalog="cat"),
                  lambda w: w.pipelines.clone(pipeline_id=w.pipelines.list_pipelines().__next__().pipeline_id,
                                              name="clone (cat)").pipeline_id),
    "knowledge_assistants": (None, lambda w: _ka(w).name),
    "multi_agent_supervisors": (None, lambda w: _supervisor(w).name),
    "serving_endpoints": (None, lambda w: w.serving_endpoints.create_provisioned_throughput_endpoint(
        name="pt-cat", config=_pt_config()).response.name),
    "vector_search_endpoints": (None, lambda w: w.vector_search_endpoints.create_endpoint(
        name="vs-cat", endpoint_type=_vs_type()).response.name),
    "vector_search_indexes": (None, lambda w: w.vector_search_indexes.create_index(
        name="cat.ai.idx", endpoint_name="vs-cat", primary_key="id", index_type=_index_type()).name),
    "database_tables": (None, lambda w: w.database.create_database_table(_db_table()).name),
    "database_roles": (lambda w: w.database.create_database_instance(_instance()).result(),
                       lambda w: f"cat-pg/{w.database.create_database_instance_role('cat-pg', _role()).name}"),
    "online_tables": (None, lambda w: w.online_tables.create(_online_table()).response.name),
    "clusters": (None, lambda w: w.clusters.create(spark_version="16.4.x-scala2.12", cluster_name="c (cat)").response.cluster_id),
    "dashboards": (None, lambda w: w.lakeview.create(_dashboard()).dashboard_id),
    "secret_scopes": (None, lambda w: (w.secrets.create_scope(scope="cat-secrets"), "cat-secrets")[1]),
    "quality_monitors": (lambda w: _uc_parents(w, table=True),
                         lambda w: w.quality_monitors.create(table_name="cat.ai.t", assets_dir="/x",
                                                             output_schema_name="cat.ai").table_name),
    "model_registry_models": (None, lambda w: w.model_registry.create_model(name="cat-model").registered_model.name),
    "registered_models": (lambda w: _uc_parents(w),
                          lambda w: w.registered_models.create(catalog_name="cat", schema_name="ai", name="m").full_name),
    "functions": (lambda w: _uc_parents(w), lambda w: w.functions.create(_function()).full_name),
    "tables": (lambda w: _uc_parents(w), lambda w: w.api_client.do("POST", "/api/2.1/unity-catalog/tables", body={
        "catalog_name": "cat", "schema_name": "ai", "name": "raw", "table_type": "MANAGED"})["full_name"]),
}


def _ka(w):
    from databricks.sdk.service.knowledgeassistants import KnowledgeAssistant

    return w.knowledge_assistants.create_knowledge_assistant(KnowledgeAssistant(display_name="menus_cat",
                                                                                description="menus"))


def _supervisor(w):
    from databricks.sdk.service.supervisoragents import SupervisorAgent

    return w.supervisor_agents.create_supervisor_agent(SupervisorAgent(display_name="sup_cat", description="s"))


def _pt_config():
    from databricks.sdk.service.serving import PtEndpointCoreConfig, PtServedModel

    return PtEndpointCoreConfig(served_entities=[PtServedModel(entity_name="system.ai.m", provisioned_model_units=1)])


def _vs_type():
    from databricks.sdk.service.vectorsearch import EndpointType

    return EndpointType.STANDARD


def _index_type():
    from databricks.sdk.service.vectorsearch import VectorIndexType

    return VectorIndexType.DELTA_SYNC


def _db_table():
    from databricks.sdk.service.database import DatabaseTable

    return DatabaseTable(name="cat.pg.t", database_instance_name="cat-pg")


def _instance():
    from databricks.sdk.service.database import DatabaseInstance

    return DatabaseInstance(name="cat-pg", capacity="CU_1")


def _role():
    from databricks.sdk.service.database import DatabaseInstanceRole

    return DatabaseInstanceRole(name="app-sp")


def _online_table():
    from databricks.sdk.service.catalog import OnlineTable

    return OnlineTable(name="cat.ai.online")


def _dashboard():
    from databricks.sdk.service.dashboards import Dashboard

    return Dashboard(display_name="Sales (cat)")


def _function():
    from databricks.sdk.service.catalog import CreateFunction

    return CreateFunction(name="f", catalog_name="cat", schema_name="ai", input_params=None, data_type=None,
                          full_data_type="INT", routine_body=None, routine_definition="1", parameter_style=None,
                          is_deterministic=True, sql_data_access=None, is_null_call=False, security_type=None,
                          specific_name="f")


def _uc_parents(w, table=False):
    w.catalogs.create(name="cat")
    w.schemas.create(name="ai", catalog_name="cat")
    if table:
        w.api_client.do("POST", "/api/2.1/unity-catalog/tables", body={"catalog_name": "cat", "schema_name": "ai",
                                                                      "name": "t"})


@pytest.mark.parametrize("kind", sorted(SDK_CREATIONS))
def test_every_creation_path_of_the_sdk_is_registered_and_cleaned(runtime, fake, tmp_path, kind):
    from stage_runtime.cleanup import run_cleanup

    setup, create = SDK_CREATIONS[kind]
    ctx = _ctx(tmp_path)
    if setup:
        setup(ctx.workspace)
    identity = str(create(ctx.workspace))
    assert (kind, identity) in _rows(ctx)
    ctx.close()
    live_kinds = {k for k, ids in objects(fake).items() if ids}
    assert {k for k, _ in _rows(ctx)} == live_kinds  # every live object of every kind is registered
    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    assert not report.failed, report.table()
    assert objects(fake) == {} and _rows(ctx) == set()


# ---- exact settlement ----------------------------------------------------------------------------
def test_tracking_a_found_resource_never_settles_an_unrelated_creation(runtime, fake, tmp_path):
    from stage_runtime.context import RegistrationError

    ctx = _ctx(tmp_path)
    other = _ctx(tmp_path, stage="other")
    existing = other.workspace.api_client.do("POST", "/api/2.0/knowledge-assistants", body={"name": "old (cat)"})
    other.track("knowledge_assistants", {"tile_id": _tile_id(fake, "old (cat)")})
    ctx.workspace.api_client.do("POST", "/api/2.0/knowledge-assistants", body={"name": "new (cat)"})  # id not in answer
    ctx.track("knowledge_assistants", {"tile_id": _tile_id(fake, "old (cat)"), "name": "old (cat)"})  # found, not made
    with pytest.raises(RegistrationError, match="knowledge_assistants 'new \\(cat\\)'"):
        ctx.close()  # the just-created one is still unregistered: the final check says so
    ctx.track("knowledge_assistants", {"tile_id": _tile_id(fake, "new (cat)"), "name": "new (cat)"})
    ctx.close()
    rows = {r.name: r.origin for r in ctx.state.list() if not r.pending}
    assert rows == {"old (cat)": "adopted", "new (cat)": "created"} and existing


def _tile_id(server, name):
    with urllib.request.urlopen(server.url + "/_fake/objects?detail=1") as response:
        tiles = json.load(response)["knowledge_assistants"]
    return next(k for k, t in tiles.items() if t.get("name") == name)


# ---- crash between the call and its registration -------------------------------------------------
CRASH_SCRIPT = """
import sys
sys.path.insert(0, {src!r})
from stage_runtime.context import Params, StageContext
from stage_runtime.state import SqliteState
ctx = StageContext({{"name": "demo", "parameters": [], "state": {{"catalog_parameter": "CATALOG"}}}}, Params("demo", {{}}),
                   catalog="cat", state_factory=lambda: SqliteState({db!r}))
print("creating", flush=True)
ctx.workspace.jobs.create(name="Replay (cat)")
print("registered", flush=True)
"""


def test_a_kill_between_create_and_registration_leaves_an_intent_cleanup_resolves(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    add_fault(fake, kind="jobs", op="create", mode="late", seconds=30)  # created at once, answered late
    db = tmp_path / "state.sqlite"
    script = CRASH_SCRIPT.format(src=str(ROOT / "src"), db=str(db))
    proc = subprocess.Popen([sys.executable, "-c", script], env=sdk_env(fake.url, tmp_path), stdout=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 30
    while not _live(fake, "jobs") and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the job exists; the process dies before the answer arrives
    proc.wait()
    assert len(_live(fake, "jobs")) == 1
    pending = sqlite3.connect(db).execute("SELECT kind, name, status FROM resources").fetchall()
    assert pending == [("jobs", "Replay (cat)", "pending")]
    add_fault(fake, clear=True)
    ctx = _ctx(tmp_path)
    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    assert [(o.kind, o.result) for o in report.outcomes] == [("jobs", "deleted")]
    assert _live(fake, "jobs") == set() and ctx.state.list() == []


# ---- a create the SDK re-sends after a client-side timeout ---------------------------------------
def _impatient(fake, tmp_path):
    """A client that gives up on an answer after 1 s and, like every SDK client, retries timeouts."""
    def factory():
        from databricks.sdk import WorkspaceClient
        from databricks.sdk.core import Config

        return WorkspaceClient(config=Config(host=fake.url, token="t", auth_type="pat", http_timeout_seconds=1,
                                             retry_timeout_seconds=20))

    return factory


def test_a_create_resent_after_a_timeout_leaves_no_unrecorded_duplicate(runtime, fake, tmp_path):
    add_fault(fake, kind="jobs", op="create", mode="late", seconds=2, times=1)
    ctx = _ctx(tmp_path, factory=_impatient(fake, tmp_path))
    job = ctx.workspace.jobs.create(name="Replay (cat)")
    ctx.close()
    assert _live(fake, "jobs") == {str(job.job_id)}  # the lost attempt's job, found by its marker: not sent again
    assert _rows(ctx) == {("jobs", str(job.job_id))}
    assert any("found what its earlier attempt made" in note for note in ctx.notes)
    assert [e["status"] for e in _log(fake) if e["kind"] == "jobs" and e["op"] == "create"] == [200]


def test_a_unique_name_create_resent_after_a_timeout_is_registered_although_it_fails(runtime, fake, tmp_path):
    from databricks.sdk.errors import ResourceAlreadyExists
    from databricks.sdk.service.apps import App

    add_fault(fake, kind="apps", op="create", mode="late", seconds=2, times=1)
    ctx = _ctx(tmp_path, factory=_impatient(fake, tmp_path))
    with pytest.raises(ResourceAlreadyExists):
        ctx.workspace.apps.create(app=App(name="cat-app"))  # the retry finds the first attempt's app
    assert _rows(ctx) == {("apps", "cat-app")} == {("apps", a) for a in _live(fake, "apps")}


# ---- defence in depth: a library's own client ------------------------------------------------------
def test_the_sweep_registers_nothing_and_fails_on_an_untracked_creation_of_ours(runtime, fake, tmp_path):
    from databricks.sdk import WorkspaceClient
    from stage_runtime.context import RegistrationError

    ctx = _ctx(tmp_path, sweep=True)
    ctx.begin()
    library = WorkspaceClient()  # like MLflow's own REST client: not a tracked client
    made = library.experiments.create_experiment(name="/Users/tester@example.com/cat-refund-agent").experiment_id
    with pytest.raises(RegistrationError, match=f"experiments {made} "):
        ctx.close()  # a name that carries the catalog proves nothing: the stage fails instead of guessing
    assert _rows(ctx) == set() and _live(fake, "experiments") == {made}


def test_the_sweep_ignores_what_a_tracked_client_made_for_another_catalog(runtime, fake, tmp_path):
    ctx = _ctx(tmp_path, sweep=True)
    ctx.begin()
    other = _ctx(tmp_path, catalog="cat2", stage="other")  # the same principal deploying catalog cat2 meanwhile
    made = other.workspace.jobs.create(name="Replay (cat2)").job_id
    ctx.close()
    assert _rows(ctx) == set() and ("jobs", str(made)) in {(r.kind, r.identity) for r in other.state.list()}


def test_the_sweep_fails_the_stage_naming_what_it_cannot_tie_to_the_catalog(runtime, fake, tmp_path):
    from databricks.sdk import WorkspaceClient
    from stage_runtime.context import RegistrationError

    ctx = _ctx(tmp_path, sweep=True)
    ctx.begin()
    WorkspaceClient().serving_endpoints.create(name="unnamed_agent")
    with pytest.raises(RegistrationError, match="serving_endpoints unnamed_agent"):
        ctx.close()


def test_the_sweep_leaves_other_principals_resources_alone(runtime, fake, tmp_path):
    from databricks.sdk import WorkspaceClient

    ctx = _ctx(tmp_path, sweep=True)
    ctx.begin()
    fake.store.me = "colleague@example.com"
    WorkspaceClient().serving_endpoints.create(name="their_endpoint")
    fake.store.me = "tester@example.com"
    ctx.close()
    assert _rows(ctx) == set()


# ---- cleanup converges on the real API's answers ---------------------------------------------------
def test_a_second_cleanup_succeeds_when_the_first_lost_its_state_write(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    ctx = _ctx(tmp_path)
    ctx.workspace.jobs.create(name="Replay (cat)")
    state = ctx._state()

    class ForgetfulState:  # the delete happens, the row removal is lost (a crash, a dropped connection)
        list = state.list
        mark_failed = state.mark_failed

        def remove(self, *args):
            raise OSError("connection reset")

    first = run_cleanup(ctx.workspace, ForgetfulState(), "cat")
    assert [o.result for o in first.outcomes] == ["deleted"] and len(state.list("cat")) == 1
    second = run_cleanup(ctx.workspace, state, "cat")  # the API now answers 403 "does not exist or has been deleted"
    assert [o.result for o in second.outcomes] == ["already gone"] and state.list("cat") == []


def test_a_job_permission_error_is_not_mistaken_for_gone(runtime):
    from databricks.sdk.errors import InvalidParameterValue, NotFound, PermissionDenied
    from stage_runtime.kinds import job_is_gone

    assert job_is_gone(InvalidParameterValue("Job 12 does not exist."))
    assert job_is_gone(PermissionDenied("Job 12 does not exist or has been deleted."))
    assert job_is_gone(NotFound("no such job"))
    assert not job_is_gone(PermissionDenied("User x does not have Can Manage permission on job 12"))


def test_experiments_are_soft_deleted_and_a_rerun_restores_them(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup
    from stage_runtime.ensure import ensure_experiment

    name = "/Users/tester@example.com/cat-refund-agent"
    ctx = _ctx(tmp_path)
    first = ensure_experiment(ctx, name)
    assert not run_cleanup(ctx.workspace, ctx._state(), "cat").failed
    assert _live(fake, "experiments") == set() and fake.store.objects["experiments"][first]["lifecycle_stage"] == "deleted"
    rerun = _ctx(tmp_path)
    assert ensure_experiment(rerun, name) == first  # restored: the name stayed taken
    assert [(r.identity, r.origin) for r in rerun.state.list()] == [(first, "created")]
    assert not run_cleanup(rerun.workspace, rerun._state(), "cat").failed and _live(fake, "experiments") == set()


class ScriptedSpark:
    """A SparkSession stand-in that records statements and fails the first `fail` of a kind."""

    def __init__(self, fail: dict[str, list[Exception]] | None = None):
        self.calls, self.fail = [], fail or {}

    def sql(self, query, args=None):
        self.calls.append(query)
        for prefix, errors in self.fail.items():
            if query.startswith(prefix) and errors:
                raise errors.pop(0)
        return self

    def collect(self):
        return []


def test_listing_the_delta_state_never_writes_and_a_gone_catalog_has_nothing(runtime):
    from stage_runtime import state as st
    from stage_runtime.cleanup import run_cleanup

    missing = Exception("[TABLE_OR_VIEW_NOT_FOUND] The table or view `gone`.`_caspers_state`.`resources` cannot be found")
    spark = ScriptedSpark({"SELECT": [missing, missing]})
    store = st.DeltaState(spark, "gone")
    assert store.list("gone") == []
    report = run_cleanup(workspace=None, state=store, catalog="gone", dry_run=True)
    assert report.table() == "dry run for catalog gone: nothing is registered for it in uc_state; nothing changed"
    assert not any(q.startswith(("CREATE", "MERGE", "DELETE", "UPDATE", "ALTER")) for q in spark.calls)


def test_the_delta_state_retries_concurrent_write_conflicts(runtime):
    from stage_runtime import state as st

    conflict = Exception("[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added by a concurrent update")
    spark = ScriptedSpark({"MERGE": [conflict, conflict]})
    store = st.DeltaState(spark, "cat", sleep=lambda s: None)
    store.register(st.Row("cat", "jobs", "1", "j"))
    assert sum(q.startswith("MERGE") for q in spark.calls) == 3


def test_the_sqlite_state_survives_many_concurrent_writers(runtime, tmp_path):
    db = tmp_path / "state.sqlite"
    script = ("import sys; sys.path.insert(0, {src!r})\n"
              "from stage_runtime.state import Row, SqliteState\n"
              "s = SqliteState({db!r})\n"
              "for i in range(60):\n"
              "    s.register(Row('cat', 'jobs', f'{{sys.argv[1]}}-{{i}}', 'n'))\n"
              "    s.register(Row('cat', 'jobs', 'shared', f'w{{sys.argv[1]}}'))\n").format(src=str(ROOT / "src"), db=str(db))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], stderr=subprocess.PIPE, text=True) for n in range(8)]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    assert sqlite3.connect(db).execute("SELECT count(*) FROM resources").fetchone() == (8 * 60 + 1,)
