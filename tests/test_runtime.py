"""The runtime against the workspace stand-in: registration, the final check, uc_state stores,
cleanup, waits. The runtime is imported from src/, as notebooks import it from build/src/."""

from __future__ import annotations

import io
import json
import sqlite3
import threading

import pytest

from .fake_env import add_fault, configure, fake, objects, runtime  # noqa: F401  (fixtures)

HOSTILE = ["it's", 'say "hi"', "back\\slash \\n \\\\", "line\nbreak\r\n", '"""', "'''", "日本語 ✓ é", "\u2028\x85",
           "'); DROP TABLE resources; --", "${var.catalog}", "{{ x }}", "\x00nul"]


def _ctx(runtime, tmp_path, params=None, stage="demo", catalog="cat"):
    from stage_runtime.context import Params, StageContext
    from stage_runtime.state import SqliteState

    db = tmp_path / "state.sqlite"
    return StageContext({"name": stage, "parameters": list(params or {}), "state": {"catalog_parameter": "CATALOG"}},
                        Params(stage, params or {}), catalog=catalog, target="dev", run_id="run-1",
                        state_factory=lambda: SqliteState(str(db)))


def test_creations_are_registered_before_the_stage_sees_them(runtime, fake, tmp_path):
    from databricks.sdk.service import jobs, pipelines

    ctx = _ctx(runtime, tmp_path)
    job = ctx.workspace.jobs.create(name="j (cat)", tasks=[jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(
        notebook_path="/x"))])
    rows = ctx.state.list()
    assert [(r.kind, r.identity, r.name, r.stage, r.target, r.run_id) for r in rows] == \
        [("jobs", str(job.job_id), "j (cat)", "demo", "dev", "run-1")]
    assert json.loads(rows[0].payload)["request"]["tasks"][0]["task_key"] == "t"
    pipe = ctx.workspace.pipelines.create(name="p (cat)", catalog="cat", libraries=[pipelines.PipelineLibrary(
        glob=pipelines.PathPattern(include="/x/**"))])
    warehouse = ctx.workspace.warehouses.create(name="wh (cat)")  # a long-running create: registered before .result()
    assert {(r.kind, r.identity) for r in ctx.state.list()} == {("jobs", str(job.job_id)), ("pipelines", pipe.pipeline_id),
                                                                 ("warehouses", warehouse.response.id)}
    ctx.close()  # nothing unregistered


def test_registering_twice_keeps_one_row(runtime, fake, tmp_path):
    from stage_runtime.ensure import ensure_job
    from databricks.sdk.service import jobs

    settings = jobs.JobSettings(name="Replay (cat)", tasks=[jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(
        notebook_path="/x"))])
    first = _ctx(runtime, tmp_path)
    second = _ctx(runtime, tmp_path)
    assert ensure_job(first, settings) == ensure_job(second, settings)
    assert len(objects(fake)["jobs"]) == 1
    rows = second.state.list()
    assert len(rows) == 1 and rows[0].name == "Replay (cat)"


def test_raw_rest_creation_must_be_tracked(runtime, fake, tmp_path):
    from stage_runtime.context import RegistrationError

    ctx = _ctx(runtime, tmp_path)
    ctx.workspace.api_client.do("POST", "/api/2.0/knowledge-assistants", body={"name": "cat-menu-knowledge"})
    with pytest.raises(RegistrationError, match="knowledge_assistants"):
        ctx.close()
    tiles = ctx.workspace.api_client.do("GET", "/api/2.0/tiles")["tiles"]
    ctx.track("knowledge_assistants", {"tile_id": tiles[0]["tile_id"], "name": tiles[0]["name"]})
    ctx.close()
    assert [(r.kind, r.name) for r in ctx.state.list()] == [("knowledge_assistants", "cat-menu-knowledge")]


def test_undeclared_parameter_names_the_stage(runtime, tmp_path):
    from stage_runtime.context import ParameterError

    ctx = _ctx(runtime, tmp_path, {"CATALOG": "cat"}, stage="lakeflow")
    assert ctx.params["CATALOG"] == "cat"
    with pytest.raises(ParameterError, match=r"stage lakeflow read parameter 'SCHEMA'.*spec/stages/lakeflow.yaml"):
        ctx.params["SCHEMA"]
    with pytest.raises(TypeError):
        ctx.params["CATALOG"] = "other"  # read-only


@pytest.mark.parametrize("text", HOSTILE)
def test_sqlite_state_round_trips_hostile_payloads(runtime, tmp_path, text):
    from stage_runtime.state import Row, SqliteState, to_payload

    state = SqliteState(str(tmp_path / "s.sqlite"))
    payload = to_payload({"title": text, "nested": [text, {"k": text}]})
    state.register(Row("cat", "genie_spaces", text, text, payload, "s", "t", "r"))
    (row,) = state.list("cat")
    assert (row.identity, row.name) == (text, text)
    assert row.data() == {"title": text, "nested": [text, {"k": text}]}
    state.remove("cat", "genie_spaces", text)
    assert state.list("cat") == []
    assert sqlite3.connect(tmp_path / "s.sqlite").execute("SELECT count(*) FROM resources").fetchone() == (0,)


class RecordingSpark:
    """Stands in for a SparkSession: records every statement and its bound arguments."""

    def __init__(self):
        self.calls = []

    def sql(self, query, args=None):
        self.calls.append((query, dict(args or {})))
        return self

    def collect(self):
        return []


def test_delta_state_binds_every_value(runtime):
    from stage_runtime import state as state_module

    spark = RecordingSpark()
    store = state_module.DeltaState(spark, "my`cat", schema="_caspers_state")
    for text in HOSTILE:
        store.register(state_module.Row("my`cat", "jobs", text, text, json.dumps({"t": text}), text, text, text))
        store.mark_failed("my`cat", "jobs", text, text)
        store.remove("my`cat", "jobs", text)
    store.list("my`cat", "jobs")
    constants = {v for k, v in vars(state_module).items() if k.startswith("DELTA_")}
    for query, args in spark.calls:
        assert query in constants  # the statement text never varies: nothing is spliced in
        for text in HOSTILE:
            assert text not in query
    assert spark.calls[0][1] == {"schema": "`my``cat`.`_caspers_state`"}
    assert spark.calls[1][1] == {"table": "`my``cat`.`_caspers_state`.`resources`"}
    register = [args for query, args in spark.calls if query == state_module.DELTA_REGISTER]
    assert [args["identity"] for args in register] == HOSTILE


def _seed(ctx, count=3):
    from databricks.sdk.service import catalog

    w = ctx.workspace
    w.catalogs.create(name="cat")
    w.schemas.create(name="s", catalog_name="cat")
    w.volumes.create(catalog_name="cat", schema_name="s", name="v", volume_type=catalog.VolumeType.MANAGED)
    for i in range(count):
        w.jobs.create(name=f"job {i} (cat)")
    w.pipelines.create(name="pipe (cat)")
    w.warehouses.create(name="cat-warehouse")
    w.experiments.create_experiment(name="/Shared/cat_dev")
    ctx.close()


def test_cleanup_deletes_in_registry_order_and_the_catalog_last(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    ctx = _seed(_ctx(runtime, tmp_path)) or _ctx(runtime, tmp_path)
    assert set(objects(fake)) == {"catalogs", "schemas", "volumes", "jobs", "pipelines", "warehouses", "experiments"}
    dry = run_cleanup(ctx.workspace, ctx._state(), "cat", dry_run=True)
    assert {o.result for o in dry.outcomes} == {"would delete"} and len(objects(fake)["jobs"]) == 3
    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    kinds_in_order = [o.kind for o in report.outcomes]
    assert kinds_in_order == ["experiments", "jobs", "jobs", "jobs", "pipelines", "warehouses", "volumes", "schemas",
                              "catalogs"]
    assert {o.result for o in report.outcomes} == {"deleted"}
    assert objects(fake) == {} and ctx.state.list() == []
    assert "cleanup of catalog cat: 9 deleted" in report.table()


def test_cleanup_treats_already_gone_as_success(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    ctx = _ctx(runtime, tmp_path)
    job = ctx.workspace.jobs.create(name="gone (cat)")
    ctx.workspace.api_client.do("POST", "/api/2.2/jobs/delete", body={"job_id": job.job_id})  # removed behind our back
    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    assert [(o.kind, o.result) for o in report.outcomes] == [("jobs", "already gone")]  # the catalog: never registered
    assert ctx.state.list() == []


def test_one_failure_never_stops_the_rest_and_keeps_its_row(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    ctx = _ctx(runtime, tmp_path)
    _seed(ctx)
    add_fault(fake, kind="pipelines", op="delete", fraction=1.0)
    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    results = {(o.kind, o.result) for o in report.outcomes}
    assert ("pipelines", "failed") in results and ("warehouses", "deleted") in results
    assert ("catalogs", "kept") in results and set(objects(fake)) == {"pipelines", "catalogs"}
    (kept,) = ctx.state.list("pipelines")
    assert kept.status == "delete_failed" and "injected fault" in kept.last_error
    add_fault(fake, clear=True)
    again = run_cleanup(ctx.workspace, ctx._state(), "cat")
    assert [(o.kind, o.result) for o in again.outcomes] == [("pipelines", "deleted"), ("catalogs", "deleted")]
    assert objects(fake) == {} and ctx.state.list() == []


def test_repeated_cleanup_with_30_percent_delete_failures_converges(runtime, fake, tmp_path):
    from stage_runtime.cleanup import run_cleanup

    ctx = _ctx(runtime, tmp_path)
    _seed(ctx, count=25)
    add_fault(fake, kind="*", op="delete", fraction=0.3, seed=11)
    for attempt in range(30):
        run_cleanup(ctx.workspace, ctx._state(), "cat")
        live = objects(fake)
        registered = {(r.kind, r.identity) for r in ctx.state.list()}
        # No run loses the row of an object that still exists.
        assert {(k, i) for k, ids in live.items() for i in ids} <= registered
        if not live:
            break
    assert objects(fake) == {} and ctx.state.list() == [] and attempt > 0


def test_wait_for_first_file_sees_a_late_file_and_times_out_clearly(runtime, fake):
    from databricks.sdk import WorkspaceClient
    from stage_runtime.waits import wait_for_first_file, wait_for_table
    from databricks.sdk.service import catalog

    w = WorkspaceClient()
    w.catalogs.create(name="c")
    w.schemas.create(name="s", catalog_name="c")
    w.volumes.create(catalog_name="c", schema_name="s", name="events", volume_type=catalog.VolumeType.MANAGED)
    with pytest.raises(TimeoutError, match=r"a first file in /Volumes/c/s/events: nothing within 0.3 s; check the replay"):
        wait_for_first_file(w, "/Volumes/c/s/events", 0.3, poll_s=0.05, hint="check the replay")
    timer = threading.Timer(0.3, lambda: w.files.upload("/Volumes/c/s/events/2024/part-0.json", io.BytesIO(b"{}")))
    timer.start()
    assert wait_for_first_file(w, "/Volumes/c/s/events", 10, poll_s=0.05) == "/Volumes/c/s/events/2024/part-0.json"
    with pytest.raises(TimeoutError, match="table c.lakeflow.all_events: nothing within 0.2 s"):
        wait_for_table(w, "c.lakeflow.all_events", 0.2, poll_s=0.05)


def test_waits_say_what_they_wait_for_and_for_how_long(runtime):
    from stage_runtime.waits import wait_until

    now, said, answers = [0.0], [], iter([None, None, None, "here"])

    def sleep(seconds):
        now[0] += seconds

    assert wait_until(lambda: next(answers), "the thing", 120, poll_s=20, sleep=sleep, clock=lambda: now[0],
                      say=said.append) == "here"
    assert said == ["waiting for the thing (up to 120 s)", "still waiting for the thing: 40 s of 120 s",
                    "the thing: done after 60 s"]


def test_every_ensure_helper_registers_once_whether_it_creates_or_finds(runtime, fake, tmp_path):
    from databricks.sdk.service import apps, database, jobs
    from stage_runtime import ensure

    def everything(ctx):
        ensure.ensure_catalog(ctx, "cat")
        ensure.ensure_schema(ctx, "cat", "sim")
        ensure.ensure_volume(ctx, "cat", "sim", "events")
        ensure.ensure_warehouse(ctx, "cat-warehouse", cluster_size="2X-Small")
        ensure.ensure_app(ctx, apps.App(name="cat-app"))
        ensure.ensure_database_instance(ctx, database.DatabaseInstance(name="catdb", capacity="CU_1"))
        ensure.ensure_pipeline(ctx, name="Pipe (cat)", catalog="cat", schema="lakeflow")
        ensure.ensure_job(ctx, jobs.JobSettings(name="Job (cat)"))
        ensure.ensure_experiment(ctx, "/Shared/cat_agent")
        ensure.ensure_registered_model(ctx, "cat", "sim", "agent")
        ensure.ensure_serving_endpoint(ctx, "cat_agent", [served("1")])
        ctx.close()

    everything(_ctx(runtime, tmp_path))  # creates
    first = {(r.kind, r.identity) for r in _ctx(runtime, tmp_path).state.list()}
    live = {(k, i) for k, ids in objects(fake).items() for i in ids}
    assert first == live and len(first) == 11
    everything(_ctx(runtime, tmp_path))  # finds, updates, registers again: still one row each
    rows = _ctx(runtime, tmp_path).state.list()
    assert {(r.kind, r.identity) for r in rows} == first and len(rows) == 11
    assert {(k, i) for k, ids in objects(fake).items() for i in ids} == live


def served(version: str, name: str = "cat.sim.agent"):
    from databricks.sdk.service.serving import ServedEntityInput

    return ServedEntityInput(entity_name=name, entity_version=version, workload_size="Small", scale_to_zero_enabled=False)


def test_a_serving_endpoint_is_created_left_alone_or_updated_and_waited_for(runtime, fake, tmp_path):
    from databricks.sdk.errors import BadRequest
    from stage_runtime.ensure import ensure_serving_endpoint
    from stage_runtime.waits import EndpointFailed, wait_for_endpoint

    from stage_runtime.ensure import ensure_catalog, ensure_registered_model, ensure_schema

    configure(fake, endpoint_ready_after=5)  # READY on the fifth read
    ctx = _ctx(runtime, tmp_path)
    with pytest.raises(Exception, match="Registered model 'cat.sim.agent' does not exist"):
        ensure_serving_endpoint(ctx, "cat_agent", [served("1")])
    ensure_catalog(ctx, "cat"), ensure_schema(ctx, "cat", "sim"), ensure_registered_model(ctx, "cat", "sim", "agent")
    w, quiet = ctx.workspace, {"poll_s": 0.01, "max_poll_s": 0.02, "say": lambda text: None}
    assert ensure_serving_endpoint(ctx, "cat_agent", [served("1")]) is True  # created
    with pytest.raises(RuntimeError, match="cat_agent is being updated to another configuration"):
        ensure_serving_endpoint(ctx, "cat_agent", [served("2")])  # the API refuses an update during an update
    assert ensure_serving_endpoint(ctx, "cat_agent", [served("1")]) is True  # the same update: just wait for it
    wait_for_endpoint(w, "cat_agent", 5, **quiet)
    assert w.serving_endpoints.get("cat_agent").config.served_entities[0].entity_version == "1"
    assert ensure_serving_endpoint(ctx, "cat_agent", [served("1")]) is False  # serves that already
    assert ensure_serving_endpoint(ctx, "cat_agent", [served("2")]) is True  # a new version: updated
    wait_for_endpoint(w, "cat_agent", 5, **quiet)
    assert w.serving_endpoints.get("cat_agent").config.served_entities[0].entity_version == "2"
    assert [c.kind for c in ctx.tracker.unregistered()] == [] and len(ctx.state.list("serving_endpoints")) == 1
    assert ctx.tracker.unregistered() == []

    configure(fake, endpoint_ready_after=-1)
    ensure_serving_endpoint(ctx, "cat_never", [served("1")])
    with pytest.raises(TimeoutError, match="serving endpoint cat_never to be READY: nothing within 0.1 s; a hint"):
        wait_for_endpoint(w, "cat_never", 0.1, hint="a hint", **quiet)
    configure(fake, endpoint_update_fails=True)
    ensure_serving_endpoint(ctx, "cat_broken", [served("1")])
    with pytest.raises(EndpointFailed, match="cat_broken: its configuration update failed; open the endpoint's events"):
        wait_for_endpoint(w, "cat_broken", 5, **quiet)
    with pytest.raises(BadRequest, match="workload_size 'Huge' is not one of Small, Medium, Large"):
        from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput

        w.serving_endpoints.create(name="cat_bad", config=EndpointCoreConfigInput(name="cat_bad", served_entities=[
            ServedEntityInput(entity_name="cat.sim.agent", entity_version="1", workload_size="Huge")]))
