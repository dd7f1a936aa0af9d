"""Ownership by evidence (src/stage_runtime/README.md): cleanup deletes exactly what this deployment
created, and never anyone else's object. Each test plants what a colleague would have made beside
the deployment (same names, catalogs that share a prefix, an object that takes a registered name
later), provokes what breaks naive ownership (a 409, a retried create, a lost answer, more than one
page of results), and checks that the colleague's objects survive untouched while ours are gone."""

from __future__ import annotations

import contextlib
import os
import json
import urllib.request

import pytest

from .fake_env import add_fault, fake, objects, runtime  # noqa: F401  (fixtures)

COLLEAGUE = "colleague@example.com"


def _ctx(tmp_path, catalog="cat", stage="demo"):
    from stage_runtime.context import Params, StageContext
    from stage_runtime.state import SqliteState

    db = tmp_path / "state.sqlite"
    return StageContext({"name": stage, "parameters": [], "state": {"catalog_parameter": "CATALOG"}},
                        Params(stage, {}), catalog=catalog, target="dev", run_id="run-1",
                        state_factory=lambda: SqliteState(str(db)))


@contextlib.contextmanager
def as_colleague(server):
    """Requests made meanwhile act as another principal (the stand-in serves one at a time)."""
    from databricks.sdk import WorkspaceClient

    server.store.me = COLLEAGUE
    try:  # their own client: nothing of ours tracks it
        yield WorkspaceClient(host=server.url, token="colleague", auth_type="pat")
    finally:
        server.store.me = "tester@example.com"


def _detail(server, kind) -> dict:
    with urllib.request.urlopen(server.url + "/_fake/objects?detail=1") as response:
        return json.load(response).get(kind, {})


def _creates(server, kind) -> list[int]:
    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return [e["status"] for e in json.load(response) if e["kind"] == kind and e["op"] == "create"]


def _rows(ctx) -> dict[tuple[str, str], str]:
    return {(r.kind, r.identity): r.origin for r in ctx.state.list()}


def _cleanup(ctx, catalog="cat", **options):
    from stage_runtime.cleanup import run_cleanup

    return run_cleanup(ctx.workspace, ctx._state(), catalog, **options)


# ---- a 409 is someone else's object -----------------------------------------------------------------
def test_a_create_answered_409_registers_nothing(runtime, fake, tmp_path):
    from databricks.sdk.errors import ResourceAlreadyExists

    with as_colleague(fake) as theirs:
        their_id = theirs.experiments.create_experiment(name="/Shared/cat_agent").experiment_id
    ctx = _ctx(tmp_path)
    with pytest.raises(ResourceAlreadyExists):
        ctx.workspace.experiments.create_experiment(name="/Shared/cat_agent")
    assert ctx.state.list() == []  # not created, not pending: the intent went with the 409
    ctx.close()
    assert _cleanup(ctx).outcomes == [] and their_id in objects(fake)["experiments"]


def test_an_object_made_between_our_lookup_and_our_create_is_adopted_and_kept(runtime, fake, tmp_path):
    from stage_runtime.ensure import ensure_experiment

    with as_colleague(fake) as theirs:
        their_id = theirs.experiments.create_experiment(name="/Shared/cat_agent").experiment_id
    add_fault(fake, kind="experiments", op="get", mode="404", times=1)  # our lookup misses it: a race
    ctx = _ctx(tmp_path)
    assert ensure_experiment(ctx, "/Shared/cat_agent") == their_id  # create -> 409 -> found: theirs
    assert _rows(ctx) == {("experiments", their_id): "adopted"}
    report = _cleanup(ctx)
    assert [(o.identity, o.result) for o in report.outcomes] == [(their_id, "kept")]
    assert _detail(fake, "experiments")[their_id]["lifecycle_stage"] == "active"


# ---- a retried create finds its own earlier attempt, never a namesake -------------------------------
def test_a_create_whose_answer_was_lost_is_not_sent_twice_and_a_namesake_survives(runtime, fake, tmp_path):
    with as_colleague(fake) as theirs:
        their_job = str(theirs.jobs.create(name="Replay (cat)").job_id)
    add_fault(fake, kind="jobs", op="create", mode="lost", times=1)  # done, then answered 503: the SDK retries
    ctx = _ctx(tmp_path)
    ours = str(ctx.workspace.jobs.create(name="Replay (cat)").job_id)
    ctx.close()
    assert _creates(fake, "jobs") == [200, 503]  # theirs, then our one attempt: found by marker, not re-sent
    assert set(objects(fake)["jobs"]) == {their_job, ours}
    assert _rows(ctx) == {("jobs", ours): "created"}
    assert [(o.identity, o.result) for o in _cleanup(ctx).outcomes] == [(ours, "deleted")]
    assert objects(fake)["jobs"] == [their_job]
    assert "settings" in _detail(fake, "jobs")[their_job]  # and it was never reset


def test_a_rate_limited_create_is_sent_again_and_made_once(runtime, fake, tmp_path):
    add_fault(fake, kind="jobs", op="create", mode="429", times=1)
    ctx = _ctx(tmp_path)
    ours = str(ctx.workspace.jobs.create(name="Replay (cat)").job_id)
    ctx.close()
    assert _creates(fake, "jobs") == [429, 200] and objects(fake)["jobs"] == [ours]
    assert _rows(ctx) == {("jobs", ours): "created"}


def test_a_unique_name_whose_first_attempt_was_lost_is_proven_by_creator_and_time(runtime, fake, tmp_path):
    from databricks.sdk.errors import ResourceAlreadyExists
    from databricks.sdk.service.apps import App

    add_fault(fake, kind="apps", op="create", mode="lost", times=1)
    ctx = _ctx(tmp_path)
    with pytest.raises(ResourceAlreadyExists):  # the retry meets the app its first attempt made
        ctx.workspace.apps.create(app=App(name="cat-app"))
    assert _rows(ctx) == {("apps", "cat-app"): "created"}
    assert any("its name was free just before our create" in note for note in ctx.tracker.notes)
    assert [(o.identity, o.result) for o in _cleanup(ctx).outcomes] == [("cat-app", "deleted")]


def test_a_retry_that_meets_a_colleagues_new_object_leaves_it_alone(runtime, fake, tmp_path):
    from databricks.sdk.errors import ResourceAlreadyExists
    from databricks.sdk.service.apps import App

    add_fault(fake, kind="apps", op="create", mode="503", times=1)  # our first attempt did nothing
    ctx = _ctx(tmp_path)
    original, taken = fake.store.fault_for, []

    def colleague_takes_the_name(kind, op):  # ... and before our retry, a colleague creates the app
        fault = original(kind, op)
        if kind == "apps" and op == "create" and fault is None and not taken:
            taken.append(True)
            with as_colleague(fake) as theirs:
                theirs.apps.create(app=App(name="cat-app")).result()
        return fault

    fake.store.fault_for = colleague_takes_the_name
    with pytest.raises(ResourceAlreadyExists):
        ctx.workspace.apps.create(app=App(name="cat-app"))
    fake.store.fault_for = original
    assert _rows(ctx) == {}  # the creator is the colleague: nothing proves it ours
    assert any("left alone" in note for note in ctx.tracker.notes)
    assert _cleanup(ctx).outcomes == [] and _detail(fake, "apps")["cat-app"]["creator"] == COLLEAGUE


def test_a_duplicate_name_kind_without_a_marker_is_not_sent_twice(runtime, fake, tmp_path):
    """A Genie space carries no marker and its titles may repeat: a second copy could not be told from
    a colleague's, so a create whose answer was lost is not re-sent; cleanup reports what it cannot
    prove and deletes nothing of the colleague's."""
    from databricks.sdk.errors import TemporarilyUnavailable

    with as_colleague(fake) as theirs:
        theirs.warehouses.create(name="wh")
        warehouse = next(iter(objects(fake)["warehouses"]))
        their_space = theirs.genie.create_space(warehouse_id=warehouse, serialized_space=_space(), title="Menus (cat)").space_id
    add_fault(fake, kind="genie_spaces", op="create", mode="lost", times=1)
    ctx = _ctx(tmp_path)
    with pytest.raises(TemporarilyUnavailable):
        ctx.workspace.genie.create_space(warehouse_id=warehouse, serialized_space=_space(), title="Menus (cat)")
    assert _creates(fake, "genie_spaces") == [200, 503]  # not re-sent
    ctx.close()
    report = _cleanup(ctx)
    assert {o.result for o in report.outcomes} == {"left alone"} and len(report.outcomes) == 2
    assert their_space in objects(fake)["genie_spaces"] and len(objects(fake)["genie_spaces"]) == 2


def _space() -> str:
    return json.dumps({"version": 2, "data_sources": {"tables": [{"identifier": "cat.s.t"}]}})


# ---- names are whole identifiers ----------------------------------------------------------------------
def test_catalogs_that_share_a_prefix_are_never_this_deployments(runtime, fake, tmp_path):
    from stage_runtime.ensure import ensure_catalog, ensure_schema, ensure_warehouse

    with as_colleague(fake) as theirs:
        for catalog in ("cat2", "cat_eu"):
            theirs.catalogs.create(name=catalog)
            theirs.schemas.create(name="simulator", catalog_name=catalog)
            theirs.warehouses.create(name=f"{catalog}-warehouse")
    ctx = _ctx(tmp_path)
    ensure_catalog(ctx, "cat")
    ensure_schema(ctx, "cat", "simulator")
    ensure_warehouse(ctx, "cat-warehouse")
    ctx.close()
    before = objects(fake)
    assert not any(o.result == "failed" for o in _cleanup(ctx).outcomes)
    after = objects(fake)
    assert after["catalogs"] == ["cat2", "cat_eu"] and after["schemas"] == ["cat2.simulator", "cat_eu.simulator"]
    assert len(after["warehouses"]) == 2 and len(before["warehouses"]) == 3


def test_a_namesake_job_of_a_colleague_is_never_reset_nor_adopted(runtime, fake, tmp_path):
    from databricks.sdk.service import jobs
    from stage_runtime.ensure import ensure_job

    with as_colleague(fake) as theirs:
        their_job = str(theirs.jobs.create(name="Replay (cat)", max_concurrent_runs=7).job_id)
    ctx = _ctx(tmp_path)
    ours = str(ensure_job(ctx, jobs.JobSettings(name="Replay (cat)", max_concurrent_runs=1)))
    again = str(ensure_job(_ctx(tmp_path), jobs.JobSettings(name="Replay (cat)", max_concurrent_runs=2)))
    assert ours == again != their_job
    assert _detail(fake, "jobs")[their_job]["settings"]["max_concurrent_runs"] == 7
    assert _detail(fake, "jobs")[ours]["settings"]["max_concurrent_runs"] == 2
    _cleanup(ctx)
    assert objects(fake)["jobs"] == [their_job]


def test_a_unique_name_held_by_a_colleague_is_an_error_not_an_update(runtime, fake, tmp_path):
    from databricks.sdk.service.apps import App
    from stage_runtime.context import ForeignObjectError
    from stage_runtime.ensure import ensure_app

    with as_colleague(fake) as theirs:
        theirs.apps.create(app=App(name="cat-app", description="theirs")).result()
    ctx = _ctx(tmp_path)
    with pytest.raises(ForeignObjectError, match="apps 'cat-app' exists, and nothing shows that this deployment"):
        ensure_app(ctx, App(name="cat-app", description="ours"))
    assert _detail(fake, "apps")["cat-app"]["description"] == "theirs"


# ---- what takes a registered name later is not ours ---------------------------------------------------
def test_an_object_that_took_a_registered_name_later_is_left_alone(runtime, fake, tmp_path):
    from databricks.sdk.service.apps import App
    from stage_runtime.ensure import ensure_app

    ctx = _ctx(tmp_path)
    ensure_app(ctx, App(name="cat-app"))
    ctx.close()
    with as_colleague(fake) as theirs:  # ours is deleted by hand, and a colleague reuses the name
        theirs.apps.delete("cat-app")
        theirs.apps.create(app=App(name="cat-app")).result()
    report = _cleanup(ctx)
    assert [(o.identity, o.result) for o in report.outcomes] == [("cat-app", "left alone")]
    assert "is not the one this project created" in report.outcomes[0].detail
    assert objects(fake)["apps"] == ["cat-app"] and ctx.state.list() == []


def test_a_schema_holding_a_colleagues_table_is_kept_with_its_catalog(runtime, fake, tmp_path):
    from stage_runtime.ensure import ensure_catalog, ensure_schema

    ctx = _ctx(tmp_path)
    ensure_catalog(ctx, "cat")
    ensure_schema(ctx, "cat", "simulator")
    with as_colleague(fake) as theirs:
        theirs.api_client.do("POST", "/api/2.1/unity-catalog/tables",
                             body={"catalog_name": "cat", "schema_name": "simulator", "name": "notes"})
    report = _cleanup(ctx)
    assert [(o.kind, o.result) for o in report.outcomes] == [("schemas", "kept"), ("catalogs", "kept")]
    assert f"cat.simulator.notes (by {COLLEAGUE})" in report.outcomes[0].detail
    assert "cat.simulator.notes" in objects(fake)["tables"]


# ---- every page is read ---------------------------------------------------------------------------------
def test_an_interrupted_create_is_found_beyond_the_first_page(runtime, fake, tmp_path):
    """The stand-in pages jobs 20 at a time: our interrupted create's job is on a later page, among
    namesakes of a colleague's; cleanup finds it by its marker and deletes only it."""
    with as_colleague(fake) as theirs:
        theirs_ids = {str(theirs.jobs.create(name="Replay (cat)").job_id) for _ in range(45)}
    ctx = _ctx(tmp_path)
    ctx.tracker.checkpoint = _raise_at("answered")  # the answer never reaches the stage: a crash
    with pytest.raises(_Crash):
        ctx.workspace.jobs.create(name="Replay (cat)")
    with as_colleague(fake) as theirs:
        theirs_ids |= {str(theirs.jobs.create(name="Replay (cat)").job_id) for _ in range(30)}
    report = _cleanup(_ctx(tmp_path))
    deleted = [o for o in report.outcomes if o.result == "deleted"]
    assert len(deleted) == 1 and deleted[0].identity not in theirs_ids
    assert set(objects(fake)["jobs"]) == theirs_ids


class _Crash(BaseException):
    pass


def _raise_at(step):
    def checkpoint(at):
        if at == step:
            raise _Crash(at)

    return checkpoint


# ---- every create is tracked, part of a parent, or refused ------------------------------------------------
def test_the_create_surface_list_is_the_installed_sdks(runtime):
    from stage_runtime import surface

    with open(surface.DATA_FILE, encoding="utf-8") as handle:
        committed = handle.read()
    assert committed == surface.render(surface.generate()), \
        "the pinned SDK changed: run `python -m stage_runtime.surface --write` in src/ and classify the new calls"


def test_every_kind_created_over_rest_has_a_lookup(runtime):
    from stage_runtime import kinds

    assert [k.name for k in kinds.KINDS if k.creates and k.lookup is None] == []


def test_a_create_no_kind_tracks_is_refused_before_it_is_sent(runtime, fake, tmp_path):
    from stage_runtime.tracking import RegistrationError

    ctx = _ctx(tmp_path)
    with pytest.raises(RegistrationError, match=r"workspace\.mkdirs\) refused: it creates something uc_state has no kind"):
        ctx.workspace.workspace.mkdirs("/Users/tester@example.com/notes")
    with pytest.raises(RegistrationError, match=r"tokens\.create\) refused"):
        ctx.workspace.tokens.create(comment="mine")
    with urllib.request.urlopen(fake.url + "/_fake/log") as response:
        sent = [e["path"] for e in json.load(response)]
    assert not any("mkdirs" in p or "token/create" in p for p in sent) and ctx.state.list() == []


@pytest.mark.parametrize("path, outcome", [
    ("/api/2.2/jobs/create/", "tracked"), ("//api/2.2/jobs/create", "tracked"),
    ("/api/2.2/jobs/../jobs/create", "refused"), ("/api/2.2/jobs/%2E%2E/jobs/create", "refused"),
    ("/api/2.2/jobs%2fcreate", "refused")])
def test_a_path_in_another_form_is_tracked_or_refused(runtime, fake, tmp_path, path, outcome):
    from stage_runtime.tracking import RegistrationError

    ctx = _ctx(tmp_path)
    if outcome == "refused":
        with pytest.raises(RegistrationError, match="dot segments or encoded separators"):
            ctx.workspace.api_client.do("POST", path, body={"name": "Replay (cat)"})
        return
    with contextlib.suppress(Exception):  # the stand-in answers 501 to these forms; a workspace may not
        ctx.workspace.api_client.do("POST", path, body={"name": "Replay (cat)"})
    assert [c.kind for c in ctx.tracker.creations] == ["jobs"]  # recognised as a create, whatever the form
    assert {i for k, i in _rows(ctx) if k == "jobs" and not i.startswith("pending:")} == \
        set(objects(fake).get("jobs", []))


def test_the_kinds_table_in_the_readme_is_the_registry(runtime):
    from pathlib import Path

    from stage_runtime import kinds_table

    readme = (Path(kinds_table.__file__).parent / "README.md").read_text()
    shown = readme.split("<!-- kinds-table -->\n", 1)[1].split("<!-- /kinds-table -->", 1)[0].strip()
    assert shown == kinds_table.markdown(), "run `python -m stage_runtime.kinds_table` in src/ and paste it"


# ---- every client of a stage's process is tracked, until the stage ends -----------------------------------
HELPER = '''
from databricks.sdk import WorkspaceClient


def make_job(name):
    """A helper module with a client of its own, as a library would have."""
    return WorkspaceClient().jobs.create(name=name).job_id
'''


def test_a_helper_modules_own_client_is_tracked_while_the_stage_runs(runtime, fake, tmp_path, monkeypatch):
    from stage_runtime import tracking

    (tmp_path / "helper_jobs.py").write_text(HELPER)
    monkeypatch.syspath_prepend(str(tmp_path))
    import helper_jobs

    ctx = _ctx(tmp_path)
    tracking.track_every_client(ctx.tracker)
    try:
        made = str(helper_jobs.make_job("Helper (cat)"))
    finally:
        tracking.unseal()
    assert _rows(ctx) == {("jobs", made): "created"}
    assert [(o.identity, o.result) for o in _cleanup(ctx).outcomes] == [(made, "deleted")]


def test_creates_after_the_stage_are_refused_from_any_thread(runtime, fake, tmp_path):
    import threading

    from databricks.sdk import WorkspaceClient
    from stage_runtime import tracking

    ctx = _ctx(tmp_path)
    tracking.track_every_client(ctx.tracker)
    tracking.seal("stage demo has finished, so uc_state could not register it")
    errors = []

    def late():
        try:
            WorkspaceClient().jobs.create(name="Late (cat)")
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    try:
        worker = threading.Thread(target=late)
        worker.start()
        worker.join()
        with pytest.raises(tracking.RegistrationError, match="has finished"):
            ctx.workspace.jobs.create(name="Late (cat)")
        WorkspaceClient().jobs.list()  # reading stays allowed
    finally:
        tracking.unseal()
    assert len(errors) == 1 and "has finished" in str(errors[0]) and objects(fake).get("jobs") is None


# ---- the Delta store records the creation of the catalog that holds it -------------------------------------
def test_the_free_target_creates_and_destroys_a_fresh_catalog_with_the_delta_store(runtime, fake, tmp_path):
    """The free target's stages, as their notebooks run them on a workspace (Spark present, so uc_state
    is the Delta table inside the catalog), on a workspace where the catalog does not exist yet."""
    from pathlib import Path

    from stage_runtime import state as st
    from stage_runtime.cleanup import run_cleanup
    from stage_runtime.context import Params, StageContext
    from stage_runtime.notebook import run_stage

    from .conftest import ROOT
    from .delta_emulator import EmulatedSpark

    def exists(catalog):
        return catalog in objects(fake).get("catalogs", [])

    spark = EmulatedSpark(st, catalog="fresh", catalog_exists=exists)
    store = lambda: st.DeltaState(spark, "fresh", sleep=lambda s: None, journal_folder=str(tmp_path))  # noqa: E731
    bundle = tmp_path / "bundle"
    (bundle / "stages").mkdir(parents=True)
    _dimension_files(bundle)
    params = {"CATALOG": "fresh", "SIMULATOR_SCHEMA": "simulator", "EVENTS_VOLUME": "events", "START_DAY": "70",
              "SPEED_MULTIPLIER": "60.0", "SCHEDULE_MINUTES": "3", "PIPELINE_SCHEDULE_MINUTES": "3"}
    assert not exists("fresh")
    # What the replay job and the pipeline would have made (this test's subject is the stages' own
    # objects and uc_state, not the data plane): the stages' waits find them.
    fake.store.volume_files["/Volumes/fresh/simulator/events/events-0-60-0000.json"] = b'{"event_id": "e1"}\n'
    fake.store.put("tables", "fresh.lakeflow.all_events", {"full_name": "fresh.lakeflow.all_events", "name": "all_events",
                                                          "catalog_name": "fresh", "schema_name": "lakeflow"})
    for stage in ("canonical_data", "lakeflow"):
        ctx = StageContext({"name": stage, "parameters": list(params), "state": {"catalog_parameter": "CATALOG"},
                            "source": f"src/stages/{stage}.py"}, Params(stage, params), catalog="fresh",
                           spark=spark, state_factory=store)
        cwd = Path.cwd()
        os.chdir(bundle / "stages")  # where notebooks run: bundle_path() is relative to it
        try:
            run_stage(ctx, (ROOT / "src" / "stages" / f"{stage}.py").read_text())
        finally:
            os.chdir(cwd)
        ctx.close()
    rows = {(r["kind"], r["identity"]): r["origin"] for r in spark.rows.values()}
    assert rows[("catalogs", "fresh")] == "created" and not any(i.startswith("pending:") for _, i in rows)
    assert not list(tmp_path.glob("uc_state_journal_*"))  # moved into the table once the catalog existed
    assert {"`fresh`.`simulator`.`brands`", "`fresh`.`simulator`.`items`"} <= set(spark.tables)
    report = run_cleanup(ctx.workspace, store(), "fresh")
    assert not report.failed and objects(fake) == {}, report.table()
    assert store().list("fresh") == []  # the state went with its catalog


def _dimension_files(bundle):
    import pandas as pd

    folder = bundle / "data" / "canonical" / "canonical_dataset"
    folder.mkdir(parents=True)
    for table in ("brands", "locations", "menus", "categories", "items", "brand_locations"):
        pd.DataFrame({"id": [1, 2]}).to_parquet(folder / f"{table}.parquet")
