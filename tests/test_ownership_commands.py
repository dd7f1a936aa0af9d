"""Ownership through the public commands: `run-local` with injected 429, 503 and 409 answers, then
`destroy-local` (what `make run-local` and `make destroy-local` call), against the local workspace with
a colleague's objects planted beside the deployment. Theirs survive exactly as they were; ours go."""

from __future__ import annotations

import json
import urllib.request

from databricks.sdk.service.apps import App  # noqa: F401 - the colleague's objects below

from .fake_env import add_fault
from .test_local_runs import _cli, _results, server  # noqa: F401  (fixture)
from .test_ownership import as_colleague

CATALOG = "caspersdev"


def _everything(server) -> dict:
    with urllib.request.urlopen(server.url + "/_fake/objects?detail=1") as response:
        return {k: v for k, v in json.load(response).items() if not k.startswith("_")}  # not the stand-in's own


def _ours(server, foreign: dict) -> dict:
    return {k: sorted(set(v) - set(foreign.get(k, {}))) for k, v in _everything(server).items()
            if set(v) - set(foreign.get(k, {}))}


def _run_and_destroy(caspers, server, tmp_path, target: str) -> tuple[str, str]:
    """Ownership is about the control plane: the runs go without Spark (the data-plane steps skipped)."""
    run = _cli(caspers, server, tmp_path, "run-local", "--target", target, spark=False)
    assert run.code == 0 and set(_results(run.out).values()) == {"ok"}, run.out + run.err
    gone = _cli(caspers, server, tmp_path, "destroy-local", "--target", target, spark=False)
    assert gone.code == 0, gone.out + gone.err
    return run.out, gone.out


def test_namesakes_of_every_job_survive_retried_creates(caspers, server, tmp_path):
    with as_colleague(server) as theirs:
        for name in (f"Canonical Data Replay ({CATALOG})", f"Pipeline Update Scheduler ({CATALOG})"):
            theirs.jobs.create(name=name, max_concurrent_runs=5)
    foreign = _everything(server)
    add_fault(server, kind="jobs", op="create", mode="lost", times=1)  # made, then answered 503
    add_fault(server, kind="pipelines", op="create", mode="429", times=1)
    add_fault(server, kind="schemas", op="create", mode="503", times=1)
    run, gone = _run_and_destroy(caspers, server, tmp_path, "free")
    assert "found what its earlier attempt made" in run
    assert _everything(server) == foreign  # theirs untouched (settings too); ours gone, no leftover copy


def test_catalogs_that_share_the_prefix_survive(caspers, server, tmp_path):
    with as_colleague(server) as theirs:
        for catalog in (f"{CATALOG}2", f"{CATALOG}_eu"):
            theirs.catalogs.create(name=catalog)
            theirs.schemas.create(name="simulator", catalog_name=catalog)
            theirs.volumes.create(catalog_name=catalog, schema_name="simulator", name="events",
                                  volume_type=_managed())
            theirs.warehouses.create(name=f"{catalog}-warehouse")
    foreign = _everything(server)
    add_fault(server, kind="volumes", op="create", mode="lost", times=1)
    run, gone = _run_and_destroy(caspers, server, tmp_path, "free")
    assert _everything(server) == foreign, gone


def _managed():
    from databricks.sdk.service.catalog import VolumeType

    return VolumeType.MANAGED


def test_a_colleagues_experiment_met_by_a_409_is_adopted_and_kept(caspers, server, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "serving")
    server.store.config["mlflow_uri"] = "sqlite:///" + str(caspers / "build" / ".local" / "mlflow.db")
    with as_colleague(server) as theirs:
        theirs.experiments.create_experiment(name=f"/Shared/{CATALOG}_refund_agent")
    foreign = _everything(server)
    # Our lookup misses it (it is made meanwhile, say): the stage's create is answered 409.
    add_fault(server, kind="experiments", op="get", mode="404", times=1)
    run, gone = _run_and_destroy(caspers, server, tmp_path, "default")
    assert "experiments" in gone and "kept" in gone and "adopted" in gone
    assert _everything(server) == foreign  # the experiment is still theirs, active; nothing of ours is left


HELPER = '''"""A helper module with a client of its own, as a library has; and a creation left for after the stage."""
import atexit

from databricks.sdk import WorkspaceClient


def make_job(name):
    return WorkspaceClient().jobs.create(name=name).job_id


def make_later(name):
    atexit.register(lambda: WorkspaceClient().jobs.create(name=name))
'''


def test_a_helper_modules_own_client_is_registered_and_a_create_after_the_stage_refused(tmp_path, server):
    from .conftest import EXAMPLES, copy_project

    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    bundle = (project / "spec" / "bundle.yaml").read_text()
    (project / "spec" / "bundle.yaml").write_text(bundle.replace("requirements:", "assets:\n  helpers: src/helpers\n"
                                                                                 "requirements:", 1))
    (project / "src" / "helpers").mkdir()
    (project / "src" / "helpers" / "__init__.py").write_text("")
    (project / "src" / "helpers" / "jobs.py").write_text(HELPER)
    (project / "src" / "stages" / "ingest.py").write_text(
        "from helpers import jobs\n\n\n"
        "def run(ctx):\n"
        "    jobs.make_job(f\"Helper ({ctx.params['CATALOG']}, {ctx.params['SCHEMA']})\")\n"
        "    jobs.make_later(\"After the stage\")\n")
    run = _cli(project, server, tmp_path, "run-local", "--target", "dev")
    assert run.code == 0, run.out + run.err
    assert "refused: stage ingest has finished, so uc_state could not register it" in run.err
    made = _everything(server)["jobs"]
    assert [j["settings"]["name"] for j in made.values()] == ["Helper (dev, raw)"]  # the atexit job never sent
    state = _cli(project, server, tmp_path, "state", "--target", "dev")
    assert "Helper (dev, raw)" in state.out
    gone = _cli(project, server, tmp_path, "destroy-local", "--target", "dev")
    assert gone.code == 0 and _everything(server) == {}, gone.out + gone.err
