"""Fixtures for tests that talk to the workspace stand-in through the real databricks-sdk."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import pytest

from local_workspace.client import client_env

from .conftest import ROOT, run_compiler
from local_workspace import LocalWorkspace

RUNTIME = ROOT / "src"
FAKE_CLI = ROOT / "local_workspace" / "cli"


def sdk_env(url: str, tmp: Path) -> dict[str, str]:
    """Environment for a client of the stand-in: no DATABRICKS_* from outside, retries capped."""
    return client_env(url, tmp)


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A running stand-in, with this process's environment pointed at it."""
    server = LocalWorkspace().start()
    for key, value in sdk_env(server.url, tmp_path).items():
        monkeypatch.setenv(key, value)
    for key in list(os.environ):
        if key.startswith(("DATABRICKS_", "ARM_")) and key not in ("DATABRICKS_CONFIG_FILE", "DATABRICKS_CONFIG_PROFILE",
                                                                    "DATABRICKS_HOST"):
            monkeypatch.delenv(key)
    yield server
    server.stop()


@pytest.fixture
def runtime(monkeypatch):
    """Import the runtime package from src/ (as notebooks do from build/src/)."""
    monkeypatch.syspath_prepend(str(RUNTIME))
    for name in [m for m in sys.modules if m == "stage_runtime" or m.startswith("stage_runtime.")]:
        monkeypatch.delitem(sys.modules, name)
    import stage_runtime

    return stage_runtime


def warehouse_config(catalog: str, dataset, days: int = 2) -> dict:
    """The local workspace's SQL configuration for a Casper's catalog whose pipeline has run over
    `days` days of the canonical `dataset` (src/data/canonical/local_warehouse.py fills it)."""
    if str(ROOT / "src" / "data" / "canonical") not in sys.path:
        sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
    from local_warehouse import options

    return {"catalog": catalog, **options(ROOT, dataset, days)}


@pytest.fixture
def workspace(fake):
    """A client of the stand-in whose warehouse runs SQL on local Spark over two days of the canonical
    dataset, catalog `cat` (the agents' tools run there); its warehouse id is `w.warehouse_id`."""
    from databricks.sdk import WorkspaceClient

    from .dataset import shared_dataset

    configure(fake, sql=warehouse_config("cat", shared_dataset()))
    warm_sql(fake)
    w = WorkspaceClient()
    w.warehouse_id = w.warehouses.create(name="cat-warehouse").response.id
    return w


def warm_sql(server: LocalWorkspace) -> None:
    """Start the local workspace's SQL engine (local Spark: the dataset read, the tables and the
    agents' functions built) here, outside any request: on a loaded machine that start can outlast
    a client's read timeout, which would fail whichever test happened to send the first statement."""
    from local_workspace.serving import _engine

    _engine(server.store).execute("SELECT 1", {})


def objects(server: LocalWorkspace) -> dict:
    with urllib.request.urlopen(server.url + "/_fake/objects") as response:
        return json.load(response)


def configure(server: LocalWorkspace, **settings) -> None:
    """The stand-in's settings (POST /_fake/config): endpoint readiness, the MLflow store, SQL data..."""
    request = urllib.request.Request(server.url + "/_fake/config", data=json.dumps(settings).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()


def add_fault(server: LocalWorkspace, **fault) -> None:
    request = urllib.request.Request(server.url + "/_fake/faults", data=json.dumps(fault).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()


@pytest.fixture
def ops(tmp_path):
    """The workspace stand-in plus the stand-in `databricks` executable on PATH, which records
    every call (arguments, working directory, environment) and deploys by the CLI's sync rules."""
    from .llm_script import local_run_script

    server = LocalWorkspace().start()
    server.store.config["llm_script"] = local_run_script()  # the model's replies of a local run (llm.py)
    log = tmp_path / "cli.jsonl"
    env = sdk_env(server.url, tmp_path)
    # The stand-in CLI runs on this interpreter's environment (it reads databricks.yml with PyYAML).
    path = os.pathsep.join([str(FAKE_CLI), os.path.dirname(sys.executable), os.environ["PATH"]])
    env.update({"PATH": path, "FAKE_DATABRICKS_LOG": str(log)})

    class Ops:
        def __init__(self):
            self.server, self.env, self.log = server, env, log

        def run(self, project, *args, extra=None):
            return run_compiler(*args, cwd=project, env={**self.env, **(extra or {})}, timeout=300)

        def calls(self):
            return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

        def reset_log(self):
            self.log.unlink(missing_ok=True)

        def remote(self):
            return self.server.store.files

    yield Ops()
    server.stop()
