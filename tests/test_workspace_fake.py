"""The workspace stand-in answers the real databricks-sdk the way the stages and cleanup need."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT
from .fake_env import add_fault, fake, objects  # noqa: F401  (fixtures)


def test_runs_on_its_own_and_prints_its_url():
    proc = subprocess.Popen([sys.executable, "-m", "tests.workspace_fake", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/_fake/objects") as response:
            assert response.read() == b"{}"
    finally:
        proc.terminate()
        proc.wait(5)


def test_sdk_round_trip_of_the_resources_stages_create(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service import apps, catalog, database, jobs

    w = WorkspaceClient()
    job = w.jobs.create(name="j", tasks=[jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(notebook_path="/x"))])
    assert [j.job_id for j in w.jobs.list(name="j")] == [job.job_id] and list(w.jobs.list(name="other")) == []
    assert w.jobs.run_now(job_id=job.job_id).result().state.life_cycle_state.value == "TERMINATED"
    w.catalogs.create(name="c")
    w.schemas.create(name="s", catalog_name="c")
    w.volumes.create(catalog_name="c", schema_name="s", name="v", volume_type=catalog.VolumeType.MANAGED)
    assert w.warehouses.create(name="wh").result().state.value == "RUNNING"
    assert w.database.create_database_instance(database.DatabaseInstance(name="pg")).result().state.value == "AVAILABLE"
    assert w.apps.create(apps.App(name="app")).result().compute_status.state.value == "ACTIVE"
    w.pipelines.create(name="p", catalog="c", schema="s")
    w.files.upload("/Volumes/c/s/v/a.json", io.BytesIO(b'{"x": 1}'))
    assert [(e.name, e.file_size) for e in w.files.list_directory_contents("/Volumes/c/s/v")] == [("a.json", 8)]
    live = objects(fake)
    assert set(live) == {"jobs", "catalogs", "schemas", "volumes", "warehouses", "database_instances", "apps", "pipelines"}
    w.catalogs.delete("c", force=True)
    with pytest.raises(NotFound):
        w.schemas.get("c.s")


def test_fault_injection_fails_the_chosen_fraction(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import DatabricksError

    w = WorkspaceClient()
    ids = [w.jobs.create(name=f"j{i}").job_id for i in range(40)]
    add_fault(fake, kind="jobs", op="delete", fraction=0.3, mode="500", seed=7)
    failures = 0
    for job_id in ids:
        try:
            w.jobs.delete(job_id=job_id)
        except DatabricksError:
            failures += 1
    assert 5 <= failures <= 20
    assert len(objects(fake)["jobs"]) == failures


def test_429_is_retried_by_the_sdk_and_timeouts_fail(fake):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    w = WorkspaceClient(config=Config(retry_timeout_seconds=60))
    add_fault(fake, kind="catalogs", op="create", fraction=0.3, mode="429", seed=1)
    for i in range(3):
        w.catalogs.create(name=f"c{i}")  # the SDK retries 429 until it passes
    assert len(objects(fake)["catalogs"]) == 3
    statuses = [entry["status"] for entry in _log(fake) if entry["op"] == "create"]
    assert 429 in statuses and statuses.count(200) == 3
    add_fault(fake, clear=True)
    add_fault(fake, kind="catalogs", op="get", fraction=1.0, mode="timeout", seconds=2)
    impatient = WorkspaceClient(config=Config(http_timeout_seconds=0.5, retry_timeout_seconds=2))
    started = time.monotonic()
    with pytest.raises(Exception):
        impatient.catalogs.get("c0")
    assert time.monotonic() - started < 15


def _log(server):
    import json

    with urllib.request.urlopen(server.url + "/_fake/log") as response:
        return json.load(response)
