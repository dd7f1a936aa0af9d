"""Safe, consistent operator commands: cleanup never drops what the project did not create (on the
local store and on the Delta store's statements), one checked PARAMS for every command, fail-fast
checks before work, and make's own words for missing variables."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ROOT, run_compiler
from .delta_emulator import EmulatedSpark
from .fake_env import fake, objects, ops, runtime, sdk_env  # noqa: F401  (fixtures)


# ---- cleanup deletes only what the project created -------------------------------------------------
@pytest.fixture(params=["sqlite", "delta"])
def store(request, runtime, tmp_path):
    """A uc_state store factory: the local SQLite file, or the Delta table through its statements."""
    from stage_runtime import state as st

    if request.param == "sqlite":
        path = str(tmp_path / "state.sqlite")
        return lambda: st.SqliteState(path)
    spark = EmulatedSpark(st)

    def delta():
        table = st.DeltaState(spark, "catalog", sleep=lambda s: None)
        table.spark_emulator = spark
        return table

    return delta


def _ctx(store, catalog):
    from stage_runtime.context import Params, StageContext

    return StageContext({"name": "canonical_data", "parameters": [], "state": {"catalog_parameter": "CATALOG"}},
                        Params("canonical_data", {}), catalog=catalog, state_factory=store)


def _someone_else(server):
    """What a person made by hand, outside the project."""
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def test_cleanup_of_a_catalog_never_seen_changes_nothing(fake, store):
    from stage_runtime.cleanup import run_cleanup

    hand = _someone_else(fake)
    hand.catalogs.create(name="precious")
    hand.schemas.create(name="keep", catalog_name="precious")
    before = objects(fake)
    state = store()
    report = run_cleanup(hand, state, "precious")
    assert report.outcomes == []
    assert report.table() == "cleanup of catalog precious: nothing is registered for it in uc_state; nothing changed"
    assert objects(fake) == before
    emulator = getattr(state, "spark_emulator", None)
    if emulator is not None:  # the workspace path: reading the state created nothing
        assert not emulator.schema_exists and not emulator.table_exists
        assert not any(q.startswith(("CREATE", "MERGE", "ALTER")) for q in emulator.statements)


def test_an_adopted_catalog_and_what_was_in_it_are_kept(fake, store):
    from stage_runtime.cleanup import run_cleanup
    from stage_runtime.ensure import ensure_catalog, ensure_schema, ensure_volume

    hand = _someone_else(fake)
    hand.catalogs.create(name="precious")
    hand.schemas.create(name="keep", catalog_name="precious")
    ctx = _ctx(store, "precious")
    ensure_catalog(ctx, "precious")
    ensure_schema(ctx, "precious", "simulator")
    ensure_volume(ctx, "precious", "simulator", "events")
    assert {(r.kind, r.origin) for r in ctx.state.list()} == {("catalogs", "adopted"), ("schemas", "created"),
                                                             ("volumes", "created")}
    report = run_cleanup(ctx.workspace, ctx._state(), "precious")
    assert [(o.kind, o.result) for o in report.outcomes] == [("volumes", "deleted"), ("schemas", "deleted"),
                                                             ("catalogs", "kept")]
    assert "adopted" in report.outcomes[-1].detail
    assert objects(fake) == {"catalogs": ["precious"], "schemas": ["precious.keep"]}


def test_a_created_catalog_that_holds_a_foreign_schema_is_kept_and_named(fake, store):
    from stage_runtime.cleanup import run_cleanup
    from stage_runtime.ensure import ensure_catalog, ensure_schema

    ctx = _ctx(store, "fresh")
    ensure_catalog(ctx, "fresh")
    ensure_schema(ctx, "fresh", "simulator")
    _someone_else(fake).schemas.create(name="theirs", catalog_name="fresh")
    report = run_cleanup(ctx.workspace, ctx._state(), "fresh")
    assert [(o.kind, o.result) for o in report.outcomes] == [("schemas", "deleted"), ("catalogs", "kept")]
    assert report.outcomes[-1].detail == "it holds what the project did not create: fresh.theirs"
    assert objects(fake) == {"catalogs": ["fresh"], "schemas": ["fresh.theirs"]}
    _someone_else(fake).schemas.delete("fresh.theirs")
    again = run_cleanup(ctx.workspace, ctx._state(), "fresh")  # emptied: now it goes
    assert [(o.kind, o.result) for o in again.outcomes] == [("catalogs", "deleted")] and objects(fake) == {}


def test_an_adopted_catalog_goes_only_when_named_explicitly(fake, store):
    from stage_runtime.cleanup import run_cleanup
    from stage_runtime.ensure import ensure_catalog

    hand = _someone_else(fake)
    hand.catalogs.create(name="precious")
    ctx = _ctx(store, "precious")
    ensure_catalog(ctx, "precious")
    assert run_cleanup(ctx.workspace, ctx._state(), "precious", delete_adopted=frozenset({"other"})).outcomes[0].result \
        == "kept"
    report = run_cleanup(ctx.workspace, ctx._state(), "precious", delete_adopted=frozenset({"precious"}))
    assert [(o.kind, o.result) for o in report.outcomes] == [("catalogs", "deleted")] and objects(fake) == {}


def test_destroy_local_of_a_catalog_the_project_never_saw_says_so_and_keeps_it(caspers, fake, tmp_path):
    hand = _someone_else(fake)
    hand.catalogs.create(name="precious")
    hand.schemas.create(name="keep", catalog_name="precious")
    run = run_compiler("destroy-local", "-t", "free", "--param", "CATALOG=precious", cwd=caspers,
                       env=sdk_env(fake.url, tmp_path))
    assert run.code == 0, run.err
    assert "cleanup of catalog precious: nothing is registered for it in uc_state; nothing changed" in run.out
    assert objects(fake) == {"catalogs": ["precious"], "schemas": ["precious.keep"]}


def test_run_local_in_an_existing_catalog_then_destroy_local_keeps_the_catalog(caspers, fake, tmp_path):
    hand = _someone_else(fake)
    hand.catalogs.create(name="precious")
    hand.schemas.create(name="keep", catalog_name="precious")
    env = sdk_env(fake.url, tmp_path)
    assert run_compiler("run-local", "-t", "free", "--param", "CATALOG=precious", cwd=caspers, env=env).code == 0
    run = run_compiler("destroy-local", "-t", "free", "--param", "CATALOG=precious", cwd=caspers, env=env)
    assert run.code == 0, run.err
    assert objects(fake) == {"catalogs": ["precious"], "schemas": ["precious.keep"]}
    assert "kept: adopted" in run.out


def test_listing_the_local_state_creates_nothing(caspers):
    run = run_compiler("state", "-t", "free", cwd=caspers)
    assert run.code == 0 and "0 resource(s)" in run.out
    assert not (caspers / "build" / ".local").exists() and not (caspers / "build" / ".compiler").exists()


# ---- PARAMS: one parser, one check, the same meaning everywhere -----------------------------------
CASES = [("CATALG=x", "error: target free has no parameter CATALG [O102]", "did you mean `CATALOG`?"),
         ("CATALOG=a,b", "error: the value of CATALOG contains a comma: 'a,b' [O103]", "splits on commas"),
         ("CATALOG=", "error: CATALOG is empty [O103]", "give a catalog"),
         ("CATALOG", "error: cannot read parameter 'CATALOG' [O101]", "write NAME=VALUE")]


@pytest.mark.parametrize("command", ["run-local", "state", "destroy-local", "run", "destroy"])
@pytest.mark.parametrize("pair, message, hint", CASES, ids=[c[0] for c in CASES])
def test_every_command_reads_and_checks_params_the_same_way(caspers, ops, command, pair, message, hint):
    extra = ["--yes"] if command == "destroy" else []
    run = ops.run(caspers, command, "-t", "free", "--param", pair, *extra)
    assert run.code == 1 and message in run.err and hint in run.err, run.err
    assert "Traceback" not in run.err and not any(c["args"][:2] == ["bundle", "run"] for c in ops.calls())


def test_hotfix_refuses_a_stage_that_is_not_in_the_target(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    run = ops.run(caspers, "hotfix", "-t", "free", "--stage", "menu_data")
    assert run.code == 1 and "error: stage menu_data is not in target free [O105]" in run.err
    assert "Canonical_Data" not in run.err and "canonical_data, lakeflow" in run.err


def _silent_host():
    """A listening port whose queue is full: the connections it is sent are dropped, unanswered, as
    by a host behind a firewall (traffic stays on this machine)."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    held = []
    for _ in range(3):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(server.getsockname())
        held.append(client)
    return server, held


@pytest.mark.parametrize("command", ["run-local", "destroy-local"])
@pytest.mark.parametrize("dead", ["refused", "silent"])
def test_local_runs_fail_fast_naming_the_host_that_does_not_answer(caspers, tmp_path, command, dead):
    server, held = _silent_host()
    port = server.getsockname()[1] if dead == "silent" else 9
    host = f"http://127.0.0.1:{port}"
    profile = tmp_path / "patient.cfg"  # the user's own settings would retry for five minutes
    profile.write_text(f"[patient]\nhost = {host}\ntoken = x\nauth_type = pat\nretry_timeout_seconds = 300\n")
    env = {"DATABRICKS_HOST": host, "DATABRICKS_CONFIG_FILE": str(profile), "DATABRICKS_CONFIG_PROFILE": "patient"}
    started = time.monotonic()
    run_compiler(command, "--help", cwd=caspers, env=env)  # what starting the command costs on this machine now
    starting = time.monotonic() - started
    started = time.monotonic()
    run = run_compiler(command, "-t", "free", cwd=caspers, env=env, timeout=60)
    took = time.monotonic() - started - starting
    server.close()
    for client in held:
        client.close()
    assert run.code == 1 and f"the workspace at {host} does not answer" in run.err and "[O121]" in run.err
    assert "Traceback" not in run.err
    assert len([line for line in run.err.splitlines() if line.startswith("error:")]) == 1
    assert took < 3.0, took  # the probe gives up after 2 s


def test_verify_of_a_target_never_deployed_says_so(caspers, ops):
    run = ops.run(caspers, "verify", "-t", "free")
    assert run.code == 1 and "target free was never deployed" in run.err and "missing:" not in run.out


def test_deploy_refuses_when_the_shipped_data_was_not_generated(caspers, ops):
    shutil.rmtree(caspers / "build" / "data")
    run = ops.run(caspers, "deploy", "-t", "free")
    assert run.code == 1 and "[O115]" in run.err and "run `make data` first" in run.err
    assert not any(c["args"][:2] == ["bundle", "deploy"] for c in ops.calls())


def test_verify_right_after_deploy_is_clean_with_the_shipped_data(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    run = ops.run(caspers, "verify", "-t", "free")
    assert run.code == 0 and "unexpected" not in run.out and "missing" not in run.out
    assert "/data/canonical/canonical_dataset/events.parquet" in "\n".join(ops.remote())


def test_warnings_are_said_once_and_deploy_counts_them(caspers, ops):
    free = caspers / "spec" / "targets" / "free.yaml"  # an override no stage of free reads: W304
    free.write_text(free.read_text() + "  LLM_MODEL: unused-here\n")
    run = ops.run(caspers, "deploy", "-t", "free")
    warnings = [line for line in run.err.splitlines() if ": warning: " in line]
    assert warnings and len(warnings) == len(set(warnings))
    assert f"(with {len(warnings)} warning(s), printed above)" in run.out


# ---- make: its own words, the right target, checks before work ------------------------------------
def _make(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`make` in a copy of the project that shares this checkout's environment (.venv, lock files)."""
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-data.lock", "requirements-agents.lock",
                 "requirements-dev.lock"):
        if not (project / name).exists():
            shutil.copy2(ROOT / name, project / name)  # copy2 keeps the times: the venv stays up to date
    if not (project / ".venv").exists():
        (project / ".venv").symlink_to(ROOT / ".venv")
    return subprocess.run(["make", "--no-print-directory", *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.mark.parametrize("goal, variable", [("hotfix", "STAGE"), ("explain", "STAGE"), ("new-stage", "NAME")])
def test_missing_make_variables_are_named_in_makes_words(caspers, goal, variable):
    run = _make(caspers, goal)
    assert run.returncode != 0 and f"{variable}= is required" in run.stderr and "--stage" not in run.stderr


def test_make_graph_draws_the_target_it_is_given(caspers):
    echo = {"COMPILER_MAKE_ECHO": "1"}  # compiler.make prints the arguments instead of running
    assert "--target\", \"default\"" in _make(caspers, "graph", "TARGET=default", env=echo).stdout
    assert "--target" not in _make(caspers, "graph", env=echo).stdout


def test_make_deploy_checks_the_cli_before_generating_the_dataset(caspers, tmp_path):
    shutil.rmtree(caspers / "build" / "data")
    run = _make(caspers, "deploy", "TARGET=free", env={"PATH": f"{Path(os.sys.executable).parent}:/usr/bin:/bin"})
    assert run.returncode != 0 and "[O110]" in run.stderr
    assert not (caspers / "build" / "data").exists()  # nothing generated


def test_bench_labels_casper_row_by_its_stages_and_keeps_the_readme_for_full_runs():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import run as bench

    row = {"cold": 1.0, "noop": 0.1, "touch_one": 0.12, "touch_code": 0.13, "edit_ratio": 1.3, "validate": 0.4, "rss_mb": 40}
    entry = {"sizes": {}, "caspers": dict(row, stages=21), "machine": {"cores": 2, "cpu": "x", "python": "3.11"},
             "date": "d", "commit": "c", "runs": 5}
    table = bench.markdown(entry)
    assert "| Casper's (21 stages) |" in table and "| 0.120 s | 0.130 s | 1.30x |" in table
    assert "One-stage edit over the no-op (the slower of the two edits): Casper's 1.30x" in table
    refused = subprocess.run([os.sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "100", "--runs", "1",
                              "--update-readme"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--update-readme needs a full run" in refused.stderr
