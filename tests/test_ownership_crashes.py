"""kill -9 at every step of every create of a stage (the intent written, the answer received, the row
written): the rerun and one cleanup leave nothing of ours and touch nothing of a colleague's, on the
local store and on the Delta store, whose own catalog is the first thing the stage creates."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from .conftest import ROOT
from .fake_env import fake, objects, runtime, sdk_env  # noqa: F401  (fixtures)
from .test_ownership import as_colleague

STAGE = """
import os, signal, sys, urllib.request
sys.path[:0] = [{src!r}, {root!r}]
from databricks.sdk.service import apps, jobs
from stage_runtime.context import Params, StageContext
from stage_runtime.ensure import ensure_app, ensure_catalog, ensure_job, ensure_schema
from stage_runtime.state import DeltaState, SqliteState

STORE, CRASH_AT, CRASH_N = sys.argv[1], sys.argv[2], int(sys.argv[3])


def store():
    if STORE == "sqlite":
        return SqliteState({db!r})
    from stage_runtime import state
    from tests.delta_emulator import EmulatedSpark

    def exists(catalog):
        try:
            urllib.request.urlopen(os.environ["DATABRICKS_HOST"] + "/api/2.1/unity-catalog/catalogs/" + catalog)
            return True
        except Exception:
            return False

    spark = EmulatedSpark(state, catalog="cat", path={table!r}, catalog_exists=exists)
    return DeltaState(spark, "cat", sleep=lambda s: None, journal_folder={journal!r})


ctx = StageContext({{"name": "demo", "parameters": [], "state": {{"catalog_parameter": "CATALOG"}}}},
                   Params("demo", {{}}), catalog="cat", state_factory=store)
seen = []


def checkpoint(step):
    if step == CRASH_AT:
        seen.append(step)
        if len(seen) == CRASH_N:
            os.kill(os.getpid(), signal.SIGKILL)


ctx.tracker.checkpoint = checkpoint
if {cleanup!r}:
    from stage_runtime.cleanup import run_cleanup

    report = run_cleanup(ctx.workspace, ctx._state(), "cat")
    print(report.table())
    sys.exit(1 if report.failed else 0)
ensure_catalog(ctx, "cat")
ensure_schema(ctx, "cat", "simulator")
ensure_job(ctx, jobs.JobSettings(name="Replay (cat)", max_concurrent_runs=1))
ensure_app(ctx, apps.App(name="cat-app"))
ctx.close()
print("done")
"""

CREATES = ("catalog", "schema", "job", "app")  # in the order the stage makes them
STEPS = ("intent", "answered", "registered")
CASES = [("sqlite", step, n) for n in range(1, len(CREATES) + 1) for step in STEPS] + \
        [("delta", step, 1) for step in STEPS]  # the catalog that will hold the Delta state itself


def _run(tmp_path, server, store, crash_at="none", n=0, cleanup=False):
    script = STAGE.format(src=str(ROOT / "src"), root=str(ROOT), db=str(tmp_path / "state.sqlite"),
                          table=str(tmp_path / "delta.json"), journal=str(tmp_path), cleanup=cleanup)
    return subprocess.run([sys.executable, "-c", script, store, crash_at, str(n)], env=sdk_env(server.url, tmp_path),
                          capture_output=True, text=True, timeout=120)


def _everything(server) -> dict:
    with urllib.request.urlopen(server.url + "/_fake/objects?detail=1") as response:
        return {k: v for k, v in json.load(response).items() if not k.startswith("_")}  # not the stand-in's own


@pytest.mark.parametrize("store, step, n", CASES, ids=[f"{s}-{CREATES[n - 1]}-{step}" for s, step, n in CASES])
def test_a_kill_at_any_step_of_any_create_is_settled_by_the_rerun_and_one_cleanup(fake, tmp_path, store, step, n):
    from databricks.sdk.service.apps import App

    with as_colleague(fake) as theirs:  # beside the deployment: a namesake job, a catalog sharing the prefix
        theirs.jobs.create(name="Replay (cat)", max_concurrent_runs=9)
        theirs.catalogs.create(name="cat2")
        theirs.schemas.create(name="simulator", catalog_name="cat2")
        theirs.apps.create(app=App(name="cat-app2")).result()
    foreign = _everything(fake)

    crashed = _run(tmp_path, fake, store, step, n)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    rerun = _run(tmp_path, fake, store)
    assert rerun.returncode == 0 and "done" in rerun.stdout, rerun.stderr[-3000:]
    ours = {k: set(v) - set(foreign.get(k, {})) for k, v in _everything(fake).items()}
    assert {k: len(v) for k, v in ours.items() if v} == {"catalogs": 1, "schemas": 1, "jobs": 1, "apps": 1}

    cleaned = _run(tmp_path, fake, store, cleanup=True)
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr[-2000:]
    assert _everything(fake) == foreign, cleaned.stdout  # ours gone; theirs exactly as they were
    again = _run(tmp_path, fake, store, cleanup=True)
    assert again.returncode == 0 and "nothing is registered" in again.stdout, again.stdout
